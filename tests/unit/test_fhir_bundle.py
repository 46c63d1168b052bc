"""Findings -> mCODE Bundle: valid R4B, conforms to the profile check, keeps its evidence, reads back to the same
findings."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.fhir.bundle import to_bundle
from extract.fhir.profiles.check import check_bundle
from extract.fhir.read import findings_from_observations
from extract.fhir.urls import EVIDENCE_URL
from extract.finding import Evidence, Extraction, Finding, Unreadable
from ingest.document import Document, Page
from tests.unit.fhir_conformance import assert_conforms

TEXT = "Estrogen receptor: POSITIVE (95%). HER2 (4B5): 0, ultralow. pT1c pN0(i-) pMX. Stage IA. " * 3


def document(sha: str = "ab" * 32) -> Document:
    return Document(
        text=TEXT,
        pages=(Page(1, 0, len(TEXT), "text-layer"),),
        media_type="application/pdf",
        sha256=sha,
        size=2048,
        name="report.pdf",
    )


def finding(field: str, value: str, start: int = 0, **extra: Any) -> Finding:
    evidence = Evidence(quote=TEXT[start : start + 20], start=start, end=start + 20, page=1, section="diagnosis")
    return Finding(field=field, value=value, evidence=(evidence,), rule_id=f"rule.{field}", confidence=0.9, **extra)


CODED = [
    ("er_status", "positive"),
    ("er_percent", "95"),
    ("pr_status", "low-positive"),
    ("pr_percent", ">90"),
    ("her2_ihc", "0"),
    ("her2_status", "negative"),
    ("her2_ish", "not-amplified"),
    ("her2_ish_ratio", "1.2"),
    ("her2_copies", "2.1"),
    ("ki67_percent", "10-20"),
    ("grade", "2"),
    ("pT", "pT1c"),
    ("pN", "pN0(i-)"),
    ("M", "pMX"),
    ("stage_group", "IA"),
    ("brca", "BRCA1 pathogenic"),
    ("pik3ca", "detected"),
    ("oncotype_rs", "18"),
    ("tumor_size_cm", "2.8"),
]


def extraction() -> Extraction:
    findings = [finding(field, value, start=i) for i, (field, value) in enumerate(CODED)]
    findings += [
        finding("histology", "ductal"),
        finding("laterality", "left"),
        finding("collection_date", "2024-02-01"),
    ]
    findings += [finding("ajcc_edition", "8"), finding("er_status", "positive", assertion="historical", specimen="B")]
    pending = (finding("her2_ish", "pending", assertion="pending"),)
    unreadable = (
        Unreadable(field="pr_percent", evidence=Evidence(quote="PR 9?%", start=3, end=9), reason="OCR damage"),
    )
    return Extraction(findings=tuple(findings), pending=pending, unreadable=unreadable)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_is_valid_r4b_and_passes_the_profile_check_with_resolving_references() -> None:
    bundle = to_bundle(document(), extraction())
    assert_conforms(bundle)
    assert [i for i in check_bundle(bundle) if i.rule == "ref-resolve"] == []


def test_bundle_parses_with_r4b_and_is_a_collection() -> None:
    bundle = to_bundle(document(), extraction())
    assert Bundle.model_validate(bundle).type == "collection"


def test_every_coded_finding_reads_back_to_the_same_value() -> None:
    bundle = to_bundle(document(), extraction())
    read = {(f.field, f.value) for f in findings_from_observations([bundle])}
    assert set(CODED) <= read


def test_evidence_is_recoverable_from_each_observation() -> None:
    bundle = to_bundle(document(), extraction())
    back = {f.field: f for f in findings_from_observations([bundle])}
    er = back["er_percent"]
    assert (er.evidence[0].start, er.evidence[0].end, er.evidence[0].page) == (1, 21, 1)
    assert er.evidence[0].quote == TEXT[1:21]
    for observation in resources(bundle, "Observation"):
        assert any(ext["url"] == EVIDENCE_URL for ext in observation["extension"])


def test_reprocessing_gives_the_same_bundle_and_another_document_other_ids() -> None:
    first, again = to_bundle(document(), extraction()), to_bundle(document(), extraction())
    other = to_bundle(document("cd" * 32), extraction())
    assert first == again
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint(e["fullUrl"] for e in other["entry"])


def test_pending_and_unreadable_are_listed_on_the_report_not_observations() -> None:
    bundle = to_bundle(document(), extraction())
    (report,) = resources(bundle, "DiagnosticReport")
    assert "her2_ish" in report["conclusion"]
    assert "pr_percent" in report["conclusion"]
    ish = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "85318-4"]
    assert len(ish) == 1  # the not-amplified result only, not the pending one
    results = {r["reference"] for r in report["result"]}
    assert results == {f"urn:uuid:{o['id']}" for o in resources(bundle, "Observation")}


def test_stage_group_has_method_focus_and_members() -> None:
    bundle = to_bundle(document(), extraction())
    (group,) = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "399588009"]
    (condition,) = resources(bundle, "Condition")
    assert group["method"]["coding"][0]["code"] == "897275008"
    assert group["focus"] == [{"reference": f"urn:uuid:{condition['id']}"}]
    assert len(group["hasMember"]) == 3


def test_unstated_edition_is_data_absent_and_still_conforms() -> None:
    findings = [finding("pT", "pT2"), finding("stage_group", "IIA")]
    bundle = to_bundle(document(), Extraction(findings=tuple(findings)))
    staged = resources(bundle, "Observation")
    assert all(o["method"]["extension"][0]["valueCode"] == "unknown" for o in staged)
    (condition,) = resources(bundle, "Condition")  # no histology: a provisional cancer carries the stage's focus
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert_conforms(bundle)


def test_undated_findings_get_todays_date_and_say_so() -> None:
    bundle = to_bundle(document(), Extraction(findings=(finding("er_status", "negative"),)))
    (observation,) = resources(bundle, "Observation")
    assert observation["effectiveDateTime"] == datetime.datetime.now(datetime.UTC).date().isoformat()
    assert "No date stated" in observation["note"][0]["text"]


def test_given_patient_is_referenced_and_no_placeholder_is_made() -> None:
    bundle = to_bundle(document(), extraction(), patient_id="p-42")
    assert resources(bundle, "Patient") == []
    assert {o["subject"]["reference"] for o in resources(bundle, "Observation")} == {"Patient/p-42"}


def test_historical_and_specimen_are_kept() -> None:
    bundle = to_bundle(document(), extraction())
    specimens = {s["identifier"][0]["value"]: f"urn:uuid:{s['id']}" for s in resources(bundle, "Specimen")}
    # B is named by the report; the tumor size, named nowhere, is measured on the report's own specimen
    assert set(specimens) == {"B", "specimen of this report"}
    on_b = [o for o in resources(bundle, "Observation") if o.get("specimen", {}).get("reference") == specimens["B"]]
    assert [o["code"]["coding"][0]["code"] for o in on_b] == ["85337-4"]
    assert "Historical" in on_b[0]["note"][0]["text"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("her2_ihc", "0", {"text": "0 (ultralow)"}),
        ("pr_status", "low-positive", {"text": "Low positive"}),
        ("her2_ish", "not-amplified", {"text": "not amplified"}),
        ("grade", "3", {"text": "Grade 3"}),
    ],
)
def test_value_text(field: str, value: str, expected: dict[str, str]) -> None:
    details = {"subclass": "ultralow"} if field == "her2_ihc" else {}
    bundle = to_bundle(document(), Extraction(findings=(finding(field, value, details=details),)))
    (observation,) = resources(bundle, "Observation")
    assert observation["valueCodeableConcept"]["text"] == expected["text"]


def test_negative_brca_is_a_pertinent_negative() -> None:
    bundle = to_bundle(document(), Extraction(findings=(finding("brca", "BRCA2 negative"),)))
    (variant,) = resources(bundle, "Observation")
    assert variant["valueCodeableConcept"]["coding"][0]["code"] == "LA9634-2"
    assert variant["component"][0]["valueCodeableConcept"]["coding"][0]["code"] == "HGNC:1101"
    assert_conforms(bundle)


VALUE_POOLS = {
    "er_status": ["positive", "negative", "low-positive"],
    "pr_percent": ["0", "5", ">90", "<1", "10-20"],
    "her2_ihc": ["0", "1+", "2+", "3+"],
    "her2_status": ["positive", "negative", "equivocal"],
    "her2_ish": ["amplified", "not-amplified", "equivocal"],
    "her2_ish_ratio": ["1.04", "2.3", "8.0"],
    "ki67_percent": ["5", "30", "10-20"],
    "grade": ["1", "2", "3"],
    "pT": ["pT1c", "ypT0", "pT4b", "pTis"],
    "pN": ["pN0", "pN1mi", "pN0(i+)", "pNX"],
    "M": ["MX", "pMX", "cM0", "M1"],
    "cT": ["cT2"],
    "stage_group": ["IA", "IIB", "IIIC", "IV"],
    "brca": ["BRCA1 pathogenic", "BRCA2 negative", "BRCA2 vus", "BRCA1 detected"],
    "esr1": ["detected", "not-detected"],
    "histology": ["ductal", "lobular", "mixed"],
    "ajcc_edition": ["7", "8"],
    "tumor_size_cm": ["0.4", "2", "5.5"],
    "pdl1": ["CPS 15", "CPS <1", "IC 1%", "TPS >=50%"],
    "pik3ca": ["detected", "not-detected"],
}


@st.composite
def extractions(draw: st.DrawFn) -> Extraction:
    fields = draw(st.lists(st.sampled_from(sorted(VALUE_POOLS)), min_size=1, max_size=12))
    findings = [
        finding(
            field,
            draw(st.sampled_from(VALUE_POOLS[field])),
            start=index,
            specimen=draw(st.sampled_from([None, "A", "B"])),
            assertion=draw(st.sampled_from(["present", "historical"])),
        )
        for index, field in enumerate(fields)
    ]
    return Extraction(findings=tuple(findings))


@settings(max_examples=25, deadline=None)
@given(extractions())
def test_any_extraction_gives_a_conforming_bundle_that_reads_back(extracted: Extraction) -> None:
    bundle = to_bundle(document(), extracted)
    assert_conforms(bundle)
    assert [i for i in check_bundle(bundle) if i.rule == "ref-resolve"] == []
    read = {(f.field, f.value) for f in findings_from_observations([bundle])}
    written = {(f.field, f.value) for f in extracted.findings if f.field not in ("histology", "ajcc_edition")}
    assert written <= read


def test_reading_our_bundle_keeps_assertion_specimen_and_confidence() -> None:
    bundle = to_bundle(document(), extraction())
    back = [f for f in findings_from_observations([bundle]) if f.field == "er_status"]
    historical = [f for f in back if f.assertion == "historical"]
    assert [(f.specimen, f.confidence) for f in historical] == [("B", 0.9)]
    assert len(back) == 2


def test_findings_from_an_amended_report_are_amended() -> None:
    findings = (finding("er_status", "negative", details={"report_status": "amended"}), finding("grade", "2"))
    bundle = to_bundle(document(), Extraction(findings=findings))
    statuses = {o["code"]["coding"][0]["code"]: o["status"] for o in resources(bundle, "Observation")}
    assert statuses == {"85337-4": "amended", "44648-4": "final"}
    assert resources(bundle, "DiagnosticReport")[0]["status"] == "amended"


@pytest.mark.parametrize(
    ("stage_type", "code"),
    [("pathologic", "399588009"), ("clinical", "399537006"), ("prognostic", "399390009"), ("unstated", "399390009")],
)
def test_stage_group_code_follows_the_stated_kind(stage_type: str, code: str) -> None:
    findings = (finding("stage_group", "IIA", details={"stage_type": stage_type}), finding("histology", "ductal"))
    bundle = to_bundle(document(), Extraction(findings=findings))
    (group,) = resources(bundle, "Observation")
    assert group["code"]["coding"][0]["code"] == code
    assert_conforms(bundle)
    assert [(f.field, f.value) for f in findings_from_observations([bundle])] == [("stage_group", "IIA")]
