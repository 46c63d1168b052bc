"""Coded FHIR Observations -> findings: every accepted code variant, value shape and the shared FHIR fixtures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.observation import Observation

from extract.fhir.codes import load_codes
from extract.fhir.read import findings_from_observations
from navis.errors import ConfigError
from tests.unit.fhir_corpus import FHIR_CORPUS, corpus_params, load_json, resources_of

LOINC = "http://loinc.org"
SCT = "http://snomed.info/sct"
HGNC = "http://www.genenames.org"


def obs(system: str, code: str, **value: Any) -> dict[str, Any]:
    """A minimal Observation with one code and the given value[x] / extra elements."""
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": system, "code": code}]},
        "effectiveDateTime": "2024-03-05T10:00:00Z",
        **value,
    }


def cc(system: str | None = None, code: str | None = None, text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if code:
        concept["coding"] = [{"system": system, "code": code}]
    if text:
        concept["text"] = text
    return {"valueCodeableConcept": concept}


def qty(value: float, unit: str = "%", comparator: str | None = None) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    if comparator:
        quantity["comparator"] = comparator
    return {"valueQuantity": quantity}


def gene(hgnc_code: str, system: str = HGNC) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": LOINC, "code": "48018-6"}]},
        "valueCodeableConcept": {"coding": [{"system": system, "code": hgnc_code}]},
    }


def component(code: str, answer: str) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": answer}]},
    }


ROWS = [
    # ER/PR status: every code variant, SNOMED and LOINC answers, text fallback
    (obs(LOINC, "85337-4", **cc(SCT, "10828004")), "er_status", "positive"),
    (obs(LOINC, "16112-5", **cc(SCT, "260385009")), "er_status", "negative"),
    (obs(LOINC, "40556-3", **cc(LOINC, "LA6576-8")), "er_status", "positive"),
    (obs(LOINC, "14228-1", **cc(LOINC, "LA6577-6")), "er_status", "negative"),
    (obs(LOINC, "85337-4", **cc(SCT, "10828004", "Low positive (5%)")), "er_status", "low-positive"),
    (obs(LOINC, "85337-4", **cc(text="ER low positive")), "er_status", "low-positive"),
    (obs(LOINC, "85339-0", **cc(text="Negative")), "pr_status", "negative"),
    (obs(LOINC, "16113-3", **cc(SCT, "10828004")), "pr_status", "positive"),
    (obs(LOINC, "40557-1", **cc(SCT, "260385009")), "pr_status", "negative"),
    (obs(LOINC, "14230-7", **cc(LOINC, "LA6576-8")), "pr_status", "positive"),
    # percents
    (obs(LOINC, "85329-1", **qty(90)), "er_percent", "90"),
    (obs(LOINC, "85329-1", **qty(90.0)), "er_percent", "90"),
    (obs(LOINC, "85325-9", **qty(90, comparator=">")), "pr_percent", ">90"),
    (obs(LOINC, "85325-9", valueString="80-90%"), "pr_percent", "80-90"),
    (obs(LOINC, "85329-1", valueRange={"low": {"value": 10}, "high": {"value": 20}}), "er_percent", "10-20"),
    (obs(LOINC, "85337-4", **qty(95)), "er_percent", "95"),
    (obs(LOINC, "85330-9", **qty(15)), "ki67_percent", "15"),
    # HER2
    (obs(LOINC, "48676-1", **cc(SCT, "42425007")), "her2_status", "equivocal"),
    (obs(LOINC, "48676-1", **cc(LOINC, "LA6577-6")), "her2_status", "negative"),
    (obs(LOINC, "85319-2", **cc(text="2+")), "her2_ihc", "2+"),
    (obs(LOINC, "85319-2", **cc(text="Score 3+ (positive)")), "her2_ihc", "3+"),
    (obs(LOINC, "18474-7", **cc(text="1+")), "her2_ihc", "1+"),
    (obs(LOINC, "85319-2", **cc(text="0 (ultralow)")), "her2_ihc", "0"),
    (obs(LOINC, "85319-2", valueInteger=0), "her2_ihc", "0"),
    (obs(LOINC, "18474-7", **cc(SCT, "260385009")), "her2_status", "negative"),
    (obs(LOINC, "85318-4", **cc(SCT, "10828004")), "her2_ish", "amplified"),
    (obs(LOINC, "85318-4", **cc(SCT, "260385009")), "her2_ish", "not-amplified"),
    (obs(LOINC, "31150-6", **cc(text="Not amplified")), "her2_ish", "not-amplified"),
    (obs(LOINC, "31150-6", **cc(text="No evidence of amplification")), "her2_ish", "not-amplified"),
    (obs(LOINC, "85318-4", **cc(SCT, "42425007")), "her2_ish", "equivocal"),
    (obs(LOINC, "49683-6", **qty(1.04, "{ratio}")), "her2_ish_ratio", "1.04"),
    (obs(LOINC, "49683-6", **qty(8.0, "{ratio}")), "her2_ish_ratio", "8.0"),
    (obs(LOINC, "74860-8", **qty(2.1, "{copies}/{cell}")), "her2_copies", "2.1"),
    # TNM: SNOMED and LOINC codes, value text, display, AJCC codes; bare categories get the observation's prefix
    (obs(SCT, "384625004", **cc(text="pT1c")), "pT", "pT1c"),
    (obs(LOINC, "21899-0", **cc("http://cancerstaging.org", "T2")), "pT", "pT2"),
    (obs(SCT, "371494008", **cc(text="pN0(i+)")), "pN", "pN0(i+)"),
    (obs(LOINC, "21900-6", **cc(text="N1mi")), "pN", "pN1mi"),
    (obs(SCT, "371494008", **cc(text="ypN0")), "pN", "ypN0"),
    (obs(SCT, "384625004", **cc(text="ypT0")), "pT", "ypT0"),
    (obs(SCT, "371497001", **cc(text="MX")), "M", "MX"),
    (obs(SCT, "371497001", **cc(text="pMX")), "M", "pMX"),
    (obs(LOINC, "21901-4", **cc(text="cM0")), "M", "cM0"),
    (obs(SCT, "399504009", **cc(text="American Joint Committee on Cancer cT3 (qualifier value)")), "cT", "cT3"),
    (obs(LOINC, "21905-5", **cc(text="T4b")), "cT", "cT4b"),
    (obs(SCT, "399534004", **cc(text="cN0")), "cN", "cN0"),
    (obs(LOINC, "21906-3", **cc(text="N2a")), "cN", "cN2a"),
    (obs(SCT, "399387003", **cc(text="M1")), "M", "M1"),
    (obs(LOINC, "21907-1", **cc(text="cM0")), "M", "cM0"),
    # stage group
    (obs(SCT, "399588009", **cc(text="IIB")), "stage_group", "IIB"),
    (obs(SCT, "399537006", **cc(text="Stage 3A (qualifier value)")), "stage_group", "IIIA"),
    (obs(LOINC, "21908-9", **cc("http://cancerstaging.org", "3C")), "stage_group", "IIIC"),
    (obs(LOINC, "21902-2", **cc("http://cancerstaging.org", "c3A")), "stage_group", "IIIA"),
    (obs(LOINC, "21908-9", **cc("http://cancerstaging.org", "4")), "stage_group", "IV"),
    (
        obs(SCT, "399588009", **cc(text="American Joint Committee on Cancer stage IIB (qualifier value)")),
        "stage_group",
        "IIB",
    ),
    # grade, Oncotype, PD-L1
    (obs(LOINC, "44648-4", **cc(LOINC, "LA27824-4", "Nottingham grade 2")), "grade", "2"),
    (obs(LOINC, "44648-4", **cc(text="Grade III")), "grade", "3"),
    (obs(LOINC, "44648-4", valueInteger=1), "grade", "1"),
    (obs("http://www.ncbi.nlm.nih.gov/gtr", "509910", **qty(18, "Recurrence score")), "oncotype_rs", "18"),
    (obs(LOINC, "105303-2", **qty(10, "{score}")), "pdl1", "CPS 10"),
    (obs(LOINC, "105303-2", valueString="CPS >= 10"), "pdl1", "CPS >=10"),
    (obs(LOINC, "83052-1", **cc(SCT, "10828004")), "pdl1", "positive"),
    (obs("http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", "C176582", **qty(5, "{score}")), "pdl1", "CPS 5"),
    (obs("http://navis.example/fhir/CodeSystem/biomarkers", "pdl1-ic", **qty(1, "%")), "pdl1", "IC 1%"),
    (obs("http://navis.example/fhir/CodeSystem/biomarkers", "pdl1-tps", **qty(1, "%", "<")), "pdl1", "TPS <1%"),
    # tumor size: longest dimension component, mm converted to cm
    (
        obs(
            LOINC, "21889-1", component=[{"code": {"coding": [{"system": LOINC, "code": "33728-7"}]}, **qty(25, "mm")}]
        ),
        "tumor_size_cm",
        "2.5",
    ),
    (
        obs(
            LOINC, "21889-1", component=[{"code": {"coding": [{"system": LOINC, "code": "33728-7"}]}, **qty(1.8, "cm")}]
        ),
        "tumor_size_cm",
        "1.8",
    ),
    # genomic variants
    (
        obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("HGNC:1100"), component("53037-8", "LA6668-3")]),
        "brca",
        "BRCA1 pathogenic",
    ),
    (obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("1101")]), "brca", "BRCA2 detected"),
    (obs(LOINC, "69548-6", **cc(LOINC, "LA9634-2"), component=[gene("HGNC:1100")]), "brca", "BRCA1 negative"),
    (
        obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("HGNC:8975", HGNC + "/geneId")]),
        "pik3ca",
        "detected",
    ),
    (obs(LOINC, "69548-6", **cc(LOINC, "LA9634-2"), component=[gene("HGNC:3467")]), "esr1", "not-detected"),
    (obs(LOINC, "69548-6", **cc(text="Absent"), component=[gene("391")]), "akt1", "not-detected"),
    (obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("HGNC:9588")]), "pten", "detected"),
]


@pytest.mark.parametrize(("observation", "field", "value"), ROWS)
def test_code_variant_reads_as_finding(observation: dict[str, Any], field: str, value: str) -> None:
    findings = findings_from_observations([observation])
    assert [(f.field, f.value) for f in findings] == [(field, value)]


def test_finding_names_its_observation_and_date() -> None:
    (finding,) = findings_from_observations([obs(LOINC, "85337-4", **cc(SCT, "10828004", "Positive"))])
    assert finding.rule_id == "fhir:Observation/o1"
    assert finding.date == "2024-03-05"
    assert finding.evidence[0].quote.endswith("Positive")
    assert finding.confidence > 0.9


def test_text_fallback_is_less_confident_than_a_code() -> None:
    (coded,) = findings_from_observations([obs(LOINC, "85337-4", **cc(SCT, "10828004"))])
    (written,) = findings_from_observations([obs(LOINC, "85337-4", **cc(text="positive"))])
    assert written.confidence < coded.confidence


def test_ultralow_and_germline_details_are_kept() -> None:
    (her2,) = findings_from_observations([obs(LOINC, "85319-2", **cc(text="0 (ultralow)"))])
    variant = obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("1100"), component("48002-0", "LA6683-2")])
    (brca,) = findings_from_observations([variant])
    assert her2.details["subclass"] == "ultralow"
    assert brca.details["source_class"] == "germline"


def test_significance_on_a_separate_implication_observation() -> None:
    variant = obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("HGNC:1101")]) | {"id": "v1"}
    implication = obs(LOINC, "51969-4", component=[component("53037-8", "LA26332-9")]) | {
        "id": "i1",
        "derivedFrom": [{"reference": "Observation/v1"}],
    }
    findings = findings_from_observations([implication, variant])
    assert [f.value for f in findings] == ["BRCA2 likely-pathogenic"]


@pytest.mark.parametrize(
    "observation",
    [
        obs(LOINC, "85337-4", **cc(SCT, "10828004")) | {"status": "entered-in-error"},
        obs(LOINC, "12345-6", **cc(SCT, "10828004")),  # a code we do not know
        obs(SCT, "21908-9", **cc(text="IIIA")),  # a LOINC code under the SNOMED system is not trusted
        obs(SCT, "371497001", **cc("http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-applicable")),
        obs(LOINC, "85319-2", **cc(text="pending")),
        obs(LOINC, "69548-6", **cc(LOINC, "LA9633-4"), component=[gene("HGNC:26144")]),  # PALB2: not a field
    ],
)
def test_observation_without_a_usable_result_gives_no_finding(observation: dict[str, Any]) -> None:
    assert findings_from_observations([observation]) == []


def test_r4b_models_and_bundles_are_read_like_json() -> None:
    observation = obs(LOINC, "85339-0", **cc(SCT, "260385009"))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": observation}]}
    model = Observation.model_validate(observation)
    values = {(f.field, f.value) for f in findings_from_observations([model, bundle])}
    assert values == {("pr_status", "negative")}


def _coded_for_us(observation: dict[str, Any]) -> bool:
    codes = load_codes()
    keys = [codes.key(c.get("system"), c.get("code")) for c in observation["code"].get("coding", [])]
    return any(key and codes.observation_meanings(key) for key in keys)


def _is_variant(observation: dict[str, Any]) -> bool:
    return any(c.get("code") == "69548-6" for c in observation["code"].get("coding", []))


def _studies_a_reported_gene(observation: dict[str, Any]) -> bool:
    genes = load_codes().genes
    codings = [
        c for part in observation.get("component", []) for c in part.get("valueCodeableConcept", {}).get("coding", [])
    ]
    return any(str(c.get("code", "")).removeprefix("HGNC:") in genes for c in codings)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_every_corpus_observation_with_a_known_code_and_value_reads(path: Path) -> None:
    for resource in resources_of(load_json(path)):
        if resource.get("resourceType") != "Observation" or not _coded_for_us(resource):
            continue
        absent = "data-absent-reason" in str(resource.get("valueCodeableConcept", ""))
        if absent or (_is_variant(resource) and not _studies_a_reported_gene(resource)):
            continue
        findings = findings_from_observations([resource])
        assert findings, f"no finding from Observation/{resource.get('id')}"
        assert all(f.rule_id == f"fhir:Observation/{resource.get('id')}" for f in findings)


@pytest.mark.corpus
def test_jenny_m_bundle_reads_as_her_profile() -> None:
    path = FHIR_CORPUS / "mcode_stu4_examples" / "Bundle-mcode-patient-bundle-jenny-m.json"
    if not path.exists():
        pytest.skip("shared FHIR corpus absent")
    values = {(f.field, f.value) for f in findings_from_observations([load_json(path)])}
    # ER+/PR-/HER2- breast cancer, clinical cT3 cN0 cM0 stage IIB, Oncotype 47 (corpus SOURCES.txt)
    expected = {("er_status", "positive"), ("pr_status", "negative"), ("her2_status", "negative"), ("cT", "cT3")}
    expected |= {("cN", "cN0"), ("M", "cM0"), ("stage_group", "IIB"), ("oncotype_rs", "47")}
    assert expected <= values


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("systems: {}\nobservations: []\nanswers: {}\ncomponents: {}\ngenes: {}\nextra: 1\n", "codes.yaml: extra"),
        (
            "systems: {loinc: [x]}\nobservations: [{field: nope, kind: status, codes: ['loinc|1-2'], source: s}]\n"
            "answers: {}\ncomponents: {}\ngenes: {}\n",
            "codes.yaml: observations.0.field",
        ),
        (
            "systems: {}\nobservations: []\nanswers: {status: {'what|1': positive}}\ncomponents: {}\ngenes: {}\n",
            "codes.yaml",
        ),
        ("systems: [\n", "codes.yaml: cannot read"),
    ],
)
def test_bad_code_map_names_the_file_and_key(tmp_path: Path, text: str, names: str) -> None:
    broken = tmp_path / "codes.yaml"
    broken.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(names)):
        load_codes.__wrapped__(broken)


@pytest.mark.parametrize(
    ("ratio", "copies", "expected"),
    [
        (2.3, 5.1, {("her2_ish_group", "1"), ("her2_ish", "amplified")}),
        (2.0, 4.0, {("her2_ish_group", "1"), ("her2_ish", "amplified")}),  # bounds are inclusive below
        (2.1, 3.2, {("her2_ish_group", "2")}),  # needs the IHC: no call
        (1.6, 6.4, {("her2_ish_group", "3")}),
        (1.4, 4.5, {("her2_ish_group", "4")}),
        (1.1, 2.1, {("her2_ish_group", "5"), ("her2_ish", "not-amplified")}),
    ],
)
def test_ish_call_derived_from_ratio_and_copies(ratio: float, copies: float, expected: set[tuple[str, str]]) -> None:
    numbers = [obs(LOINC, "49683-6", **qty(ratio, "{ratio}")), obs(LOINC, "74860-8", **qty(copies, "{copies}"))]
    derived = [f for f in findings_from_observations(numbers) if f.rule_id.startswith("fhir:derived/")]
    assert {(f.field, f.value) for f in derived} == expected
    assert all(f.confidence < 0.9 and len(f.evidence) == 2 for f in derived)


def test_a_stated_ish_call_is_never_overridden_by_the_numbers() -> None:
    numbers = [
        obs(LOINC, "49683-6", **qty(2.5, "{ratio}")),
        obs(LOINC, "74860-8", **qty(6.0, "{copies}")),
        obs(LOINC, "85318-4", **cc(text="equivocal")),
    ]
    assert [f.value for f in findings_from_observations(numbers) if f.field == "her2_ish"] == ["equivocal"]
