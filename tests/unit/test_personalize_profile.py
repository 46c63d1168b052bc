"""Profile building: histories with evidence, conflicts, FHIR context (inline and from the real mCODE corpus)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract.fhir.read import findings_from_observations
from navis.errors import InputError
from personalize.build import build_profile
from personalize.context_fhir import read_context
from personalize.patient_context import load_context
from personalize.readings import SourceFindings
from tests.support.corpus import FHIR_CORPUS
from tests.unit.personalize_support import finding, profile_of, report

CORPUS = FHIR_CORPUS
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"


def test_current_value_is_the_newest_and_history_keeps_every_reading() -> None:
    profile = profile_of(
        report("old.pdf", finding("ki67_percent", "30", date="2023-01-05")),
        report("new.pdf", finding("ki67_percent", "12", date="2025-04-01")),
    )
    history = profile.biomarkers["ki67_percent"]
    assert history.current.value == "12"
    assert history.current.source == "new.pdf"
    assert [r.source for r in history.readings] == ["new.pdf", "old.pdf"]
    assert history.current.quote == "ki67 percent: 12"
    assert profile.facts().get("ki67_percent") == 12.0


def test_report_date_fills_findings_without_a_date() -> None:
    profile = profile_of(report("a.pdf", finding("report_date", "2024-09-09"), finding("her2_ihc", "1+")))
    assert profile.biomarkers["her2_ihc"].current.date == "2024-09-09"


def test_same_values_in_two_reports_are_not_a_conflict() -> None:
    profile = profile_of(
        report("a.pdf", finding("er_percent", "95")), report("b.pdf", finding("er_status", "positive"))
    )
    assert not profile.conflicts
    assert profile.facts().get("hr_status") == "positive"


def test_zero_and_zero_ultralow_agree() -> None:
    profile = profile_of(
        report("a.pdf", finding("her2_ihc", "0")),
        report("b.pdf", finding("her2_ihc", "0", subclass="ultralow")),
    )
    assert not profile.conflicts
    assert profile.facts().get("her2_category") == "ultralow"


def test_one_plus_vs_two_plus_ish_negative_keeps_the_category() -> None:
    profile = profile_of(
        report("a.pdf", finding("her2_ihc", "1+")),
        report("b.pdf", finding("her2_ihc", "2+"), finding("her2_ish", "not-amplified")),
    )
    assert [c.field for c in profile.conflicts] == ["her2_ihc"]  # surfaced ...
    assert profile.facts().get("her2_category") == "low"  # ... but both readings mean HER2-low


def test_patient_setting_behind_the_records_is_a_conflict() -> None:
    profile = profile_of(report("a.pdf", finding("stage_group", "IV")), context={"setting": "early"})
    assert profile.facts().get("setting") is None
    assert any(c.field == "setting" for c in profile.conflicts)


def test_patient_reported_recurrence_advances_the_setting() -> None:
    profile = profile_of(report("a.pdf", finding("stage_group", "IIIA")), context={"setting": "metastatic"})
    assert profile.facts().get("setting") == "metastatic"
    assert profile.derived["setting"].origin == "patient-reported"


def _inline_bundle() -> list[dict[str, Any]]:
    def concept(system: str, code: str, display: str = "") -> dict[str, Any]:
        return {"coding": [{"system": system, "code": code, "display": display}]}

    entries: list[dict[str, Any]] = [
        {"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1960-06-15"},
        {"resourceType": "Condition", "id": "c1", "code": concept(SNOMED, "254837009")},
        {"resourceType": "Condition", "id": "c2", "code": concept(SNOMED, "94222008"), "onsetDateTime": "2024-02-01"},
        {
            "resourceType": "MedicationStatement",
            "id": "m1",
            "medicationCodeableConcept": concept("http://www.nlm.nih.gov/research/umls/rxnorm", "72965"),
            "effectivePeriod": {"start": "2024-03-01"},
        },
        {
            "resourceType": "MedicationRequest",
            "id": "m2",
            "medicationCodeableConcept": {"text": "Adriamycin and cyclophosphamide"},
            "authoredOn": "2019-01-01",
        },
        {
            "resourceType": "Observation",
            "id": "o1",
            "code": concept(LOINC, "97509-4"),
            "valueCodeableConcept": concept(SNOMED, "271299001"),
            "effectiveDateTime": "2025-01-01",
        },
        {
            "resourceType": "Observation",
            "id": "o2",
            "code": concept(SNOMED, "276477006"),
            "valueCodeableConcept": concept(SNOMED, "307429007"),
        },
    ]
    return [{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in entries]}]


def test_fhir_context_codes_first() -> None:
    context = read_context(_inline_bundle())
    assert context.sex == ("female", "Patient/p")
    assert context.metastatic_sites == {"bone": "Condition/c2"}
    assert context.menopausal_status == ("post", "Observation/o2")
    by_name = {t.name: t for t in context.treatments}
    assert by_name["letrozole"].setting == "metastatic"  # started after the bone metastasis was recorded
    assert by_name["doxorubicin + cyclophosphamide"].setting == "early"  # matched by brand and generic name


def test_fhir_context_drives_treatment_facts() -> None:
    import datetime as dt

    profile = build_profile([], _inline_bundle(), today=dt.date(2026, 1, 1))
    facts = profile.facts()
    assert facts.get("setting") == "metastatic"
    assert facts.get("prior_endocrine_metastatic") is True
    assert facts.get("prior_chemo_metastatic") is False
    assert facts.get("prior_chemo_any") is True
    assert facts.get("progression") is True
    assert facts.get("age") == 65.0
    assert facts.get("metastatic_sites") == frozenset({"bone"})


def _corpus(name: str) -> list[dict[str, Any]]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("shared/corpus is not available")
    return [json.loads(path.read_text(encoding="utf-8"))]


def test_clinic_bundle_with_receptor_conversion_and_lung_metastasis() -> None:
    resources = _corpus("codex_trial_matching/ctm-service_eom_patient_1.json")
    profile = build_profile([SourceFindings("eom.json", findings_from_observations(resources), "fhir")], resources)
    facts = profile.facts()
    assert facts.get("setting") == "metastatic"
    assert facts.get("metastatic_sites") == frozenset({"lung"})
    assert "hr_status" in profile.conflicted_fields  # ER positive in 2018, negative in 2022
    assert facts.get("her2_category") == "negative-unscored"
    assert {t.name for t in profile.treatments} == {"abemaciclib", "alpelisib"}


def test_mcode_example_patient_treatments_and_status() -> None:
    resources = _corpus("mcode_stu4_examples/Bundle-mcode-patient-bundle-jenny-m.json")
    profile = build_profile([SourceFindings("jenny.json", findings_from_observations(resources), "fhir")], resources)
    facts = profile.facts()
    assert facts.get("prior_chemo_any") is True
    assert facts.get("prior_endocrine_any") is True
    assert facts.get("progression") is False  # CancerDiseaseStatus: improved
    assert facts.get("hr_status") == "positive"
    assert facts.get("oncotype_rs") == 47.0


def test_context_file_yaml_and_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "me.yaml"
    yaml_file.write_text(
        "setting: metastatic\ntreatments:\n  - {name: letrozole, setting: metastatic}\n", encoding="utf-8"
    )
    json_file = tmp_path / "me.json"
    json_file.write_text('{"menopausal_status": "pre", "age": 44}', encoding="utf-8")
    assert load_context(yaml_file).treatments is not None
    assert load_context(json_file).age == 44


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("setting: spreading\n", "setting"),
        ("age: 7\n", "age"),
        ("favourite_colour: blue\n", "favourite_colour"),
        ("setting: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_context_file_names_the_key_not_the_contents(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "context.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_context(path)
    assert "blue" not in caught.value.message
    assert "spreading" not in caught.value.message


def test_context_in_the_service_spelling() -> None:
    stored = {
        "menopausal_status": "postmenopausal",
        "sex": "unknown",
        "metastatic": True,
        "metastatic_sites": ["Bones", "liver", "skin"],
        "treatments": [
            {"name": "letrozole", "status": "past", "stopped_for_progression": True},
            {"name": "capecitabine", "status": "planned"},
        ],
        "notes": "free text is not read",
    }
    profile = profile_of(report("a.pdf", finding("her2_ihc", "1+")), context=stored)
    facts = profile.facts()
    assert facts.get("menopausal_status") == "post"
    assert facts.get("sex") is None
    assert facts.get("setting") == "metastatic"
    assert facts.get("metastatic_sites") == frozenset({"bone", "liver", "other"})
    assert facts.get("progression") is True
    assert facts.get("prior_chemo_any") is False  # a planned treatment is not a treatment so far


def test_medication_by_reference_and_contained() -> None:
    medication = {"resourceType": "Medication", "id": "fulv", "code": {"text": "Faslodex 250 mg"}}
    statement = {
        "resourceType": "MedicationStatement",
        "id": "s1",
        "medicationReference": {"reference": "Medication/fulv"},
    }
    administration = {
        "resourceType": "MedicationAdministration",
        "id": "a1",
        "contained": [{"resourceType": "Medication", "id": "m", "code": {"text": "Taxotere"}}],
        "medicationReference": {"reference": "#m"},
    }
    names = {t.name for t in read_context([medication, statement, administration]).treatments}
    assert names == {"fulvestrant", "docetaxel"}


def test_chemotherapy_before_the_recorded_surgery_is_neoadjuvant() -> None:
    def resource(kind: str, ident: str, date: str, **extra: Any) -> dict[str, Any]:
        return {
            "resourceType": kind,
            "id": ident,
            **extra,
            "performedDateTime" if kind == "Procedure" else "effectiveDateTime": date,
        }

    surgery = resource("Procedure", "s", "2024-06-01", code={"coding": [{"system": SNOMED, "code": "69031006"}]})
    before = resource("MedicationStatement", "m", "2024-01-10", medicationCodeableConcept={"text": "paclitaxel"})
    after = resource("MedicationStatement", "m", "2024-08-10", medicationCodeableConcept={"text": "paclitaxel"})
    assert build_profile([], [surgery, before]).facts().get("neoadjuvant_therapy") is True
    assert build_profile([], [surgery, after]).facts().get("neoadjuvant_therapy") is False
    assert build_profile([], [before]).facts().get("neoadjuvant_therapy") is None  # no surgery date: unknown


def test_stage_from_the_primary_condition_when_no_stage_observation() -> None:
    condition = {
        "resourceType": "Condition",
        "id": "pc",
        "code": {"coding": [{"system": SNOMED, "code": "254837009"}]},
        "stage": [{"summary": {"text": "AJCC stage IIIB"}}],
    }
    profile = build_profile([], [condition])
    assert profile.facts().get("setting") == "locally-advanced"
    assert "Condition/pc" in profile.derived["stage_group"].basis
    stated = build_profile([SourceFindings("r.pdf", [finding("stage_group", "IIA")])], [condition])
    assert stated.facts().get("stage_group") == "II"  # the report's stage group comes first


def test_stored_profile_gives_the_same_answer() -> None:
    from personalize.answer import build_answer
    from personalize.profile import Profile

    profile = profile_of(
        report("a.pdf", finding("her2_ihc", "0"), finding("er_percent", "80"), finding("stage_group", "IV")),
        report("b.pdf", finding("her2_ihc", "1+")),
        context={"metastatic_sites": ["bone"], "treatments": [{"name": "letrozole", "setting": "metastatic"}]},
    )
    stored = Profile.model_validate_json(profile.model_dump_json())
    assert build_answer(stored) == build_answer(profile)  # reprocessing from the store needs no documents
