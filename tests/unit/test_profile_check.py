"""The mCODE STU4 profile check: official examples pass, mutated resources fail at a precise FHIRPath location."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extract.fhir.datafile import load_model
from extract.fhir.profiles.check import check_bundle, check_resource, errors
from extract.fhir.profiles.constraints import Constraints, load_constraints
from navis.errors import ConfigError
from tests.unit.fhir_corpus import corpus_params, load_json

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
LAB = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
SCT = "http://snomed.info/sct"
LOINC = "http://loinc.org"


def tumor_marker() -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"profile": [MCODE + "mcode-tumor-marker-test"]},
        "status": "final",
        "category": [copy.deepcopy(LAB)],
        "code": {"coding": [{"system": LOINC, "code": "85337-4"}]},
        "subject": {"reference": "Patient/p"},
        "valueCodeableConcept": {"coding": [{"system": SCT, "code": "10828004"}], "text": "Positive"},
    }


def stage_group() -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "meta": {"profile": [MCODE + "mcode-tnm-stage-group|4.0.0"]},
        "status": "final",
        "category": [copy.deepcopy(LAB)],
        "code": {"coding": [{"system": SCT, "code": "399588009"}]},
        "subject": {"reference": "Patient/p"},
        "focus": [{"reference": "Condition/c"}],
        "method": {"coding": [{"system": SCT, "code": "897275008"}]},
        "valueCodeableConcept": {"text": "IIB"},
    }


def variant() -> dict[str, Any]:
    gene = {"code": {"coding": [{"system": LOINC, "code": "48018-6"}]}, "valueCodeableConcept": {"text": "BRCA1"}}
    source = {
        "code": {"coding": [{"system": LOINC, "code": "48002-0"}]},
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6683-2"}]},
    }
    return {
        "resourceType": "Observation",
        "meta": {"profile": [MCODE + "mcode-genomic-variant"]},
        "status": "final",
        "category": [copy.deepcopy(LAB)],
        "code": {"coding": [{"system": LOINC, "code": "69548-6"}]},
        "subject": {"reference": "Patient/p"},
        "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA9633-4"}]},
        "component": [gene, source],
    }


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda resource: resource.pop(key)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda resource: resource.__setitem__(key, value)


def _swap_value(resource: dict[str, Any]) -> None:
    resource["valueBoolean"] = resource.pop("valueCodeableConcept") is not None


def _second_source_class(resource: dict[str, Any]) -> None:
    resource["component"].append(copy.deepcopy(resource["component"][1]))


def _imaging_category(resource: dict[str, Any]) -> None:
    resource["category"][0]["coding"][0]["code"] = "imaging"


MUTATIONS = [
    (tumor_marker, _drop("subject"), "Observation.subject", "cardinality"),
    (tumor_marker, _drop("valueCodeableConcept"), "Observation.value[x]", "cardinality"),
    (tumor_marker, _swap_value, "Observation.valueBoolean", "type"),
    (tumor_marker, _imaging_category, "Observation.category", "cardinality"),
    (stage_group, _drop("method"), "Observation.method", "cardinality"),
    (stage_group, _drop("focus"), "Observation.focus", "cardinality"),
    (
        stage_group,
        _set("focus", [{"reference": "Condition/a"}, {"reference": "Condition/b"}]),
        "Observation.focus[1]",
        "cardinality",
    ),
    (stage_group, _set("valueString", "IIB"), "Observation.valueString", "type"),
    (variant, _set("code", {"coding": [{"system": LOINC, "code": "12345-6"}]}), "Observation.code", "pattern"),
    (variant, _second_source_class, "Observation.component[2]", "cardinality"),
]


@pytest.mark.parametrize("build", [tumor_marker, stage_group, variant])
def test_conforming_resource_has_no_errors(build: Callable[[], dict[str, Any]]) -> None:
    assert errors(check_resource(build())) == []


@pytest.mark.parametrize(("build", "mutate", "location", "rule"), MUTATIONS)
def test_mutation_fails_at_its_location(
    build: Callable[[], dict[str, Any]], mutate: Callable[[dict[str, Any]], None], location: str, rule: str
) -> None:
    resource = build()
    mutate(resource)
    found = [(issue.location, issue.rule) for issue in errors(check_resource(resource))]
    assert (location, rule) in found


def test_location_is_prefixed_inside_a_bundle() -> None:
    observation = stage_group()
    del observation["method"]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": tumor_marker()}, {"resource": observation}],
    }
    assert [i.location for i in errors(check_bundle(bundle))] == ["Bundle.entry[1].resource.method"]


def test_profile_of_another_type_is_an_error_and_unknown_profiles_are_information() -> None:
    resource = tumor_marker()
    resource["meta"]["profile"] = [MCODE + "mcode-primary-cancer-condition", "http://example.org/other"]
    issues = check_resource(resource)
    assert [(i.severity, i.location) for i in issues] == [
        ("error", "Observation.meta.profile[0]"),
        ("information", "Observation.meta.profile[1]"),
    ]


BUNDLE_CASES = [
    ("transaction", [{"fullUrl": "urn:uuid:6f1c8f5e-6f0e-4e3e-9a59-5d1b2c3d4e5f"}], "Bundle.entry[0].request", "bdl-3"),
    ("collection", [{"response": {"status": "201"}}], "Bundle.entry[0].response", "bdl-4"),
    (
        "collection",
        [{"fullUrl": "urn:uuid:6f1c8f5e-6f0e-4e3e-9a59-5d1b2c3d4e5f"}] * 2,
        "Bundle.entry[1].fullUrl",
        "bdl-7",
    ),
    ("collection", [{"fullUrl": "urn:uuid:6556b6b3-678c-4fd6-9309-8df77xxxxxxx"}], "Bundle.entry[0].fullUrl", "uuid"),
]


@pytest.mark.parametrize(("bundle_type", "entries", "location", "rule"), BUNDLE_CASES)
def test_bundle_rule(bundle_type: str, entries: list[dict[str, Any]], location: str, rule: str) -> None:
    bundle = {"resourceType": "Bundle", "type": bundle_type, "entry": copy.deepcopy(entries)}
    expected_severity = "warning" if rule == "uuid" else "error"  # a malformed urn:uuid still resolves as a string
    assert (location, rule, expected_severity) in [(i.location, i.rule, i.severity) for i in check_bundle(bundle)]


def test_unresolved_reference_in_a_collection_is_reported_with_its_path() -> None:
    observation = tumor_marker() | {"id": "o"}
    entries: list[dict[str, Any]] = [{"fullUrl": "urn:uuid:x", "resource": observation}]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    issues = [i for i in check_bundle(bundle) if i.rule == "ref-resolve"]
    assert [i.location for i in issues] == ["Bundle.entry[0].resource.subject.reference"]
    patient = {"fullUrl": "http://example.org/fhir/Patient/p", "resource": {"resourceType": "Patient", "id": "p"}}
    entries.append(patient)
    assert [i for i in check_bundle(bundle) if i.rule == "ref-resolve"] == []


def test_broken_constraint_file_names_itself(tmp_path: Path) -> None:
    broken = tmp_path / "constraints.json"
    broken.write_text(json.dumps({"source": "x", "generated_by": "y", "max_depth": 3, "profiles": {"u": {"name": 1}}}))
    with pytest.raises(ConfigError, match=r"constraints\.json: profiles\.u\.name"):
        load_model(broken, Constraints)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params("mcode_stu4_examples"))
def test_official_mcode_example_passes(path: Path) -> None:
    data = load_json(path)
    issues = check_bundle(data) if data["resourceType"] == "Bundle" else check_resource(data)
    assert errors(issues) == []


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params("mcode_stu4_examples"))
def test_official_example_without_a_required_element_fails(path: Path) -> None:
    data = load_json(path)
    resources = [e["resource"] for e in data["entry"]] if data["resourceType"] == "Bundle" else [data]
    for resource in resources:
        if resource.get("resourceType") == "Observation" and "subject" in resource and _requires_subject(resource):
            mutated = copy.deepcopy(resource)
            del mutated["subject"]
            assert ("Observation.subject", "cardinality") in [
                (i.location, i.rule) for i in errors(check_resource(mutated))
            ]


def _requires_subject(resource: dict[str, Any]) -> bool:
    """True when a claimed mCODE profile's snapshot makes subject 1..1 (tumor markers, staging; not variants)."""
    profiles = load_constraints().profiles
    claimed = [profiles.get(str(p)) for p in resource.get("meta", {}).get("profile", [])]
    return any(p is not None and (e := p.element("Observation.subject")) is not None and e.min == 1 for p in claimed)


def test_mcode_extension_is_checked_against_its_own_definition() -> None:
    resource = tumor_marker()
    resource["extension"] = [{"url": MCODE + "mcode-related-condition", "valueString": "breast cancer"}]
    found = [(i.location, i.rule) for i in errors(check_resource(resource))]
    assert ("Observation.extension[0].valueString", "type") in found
    resource["extension"] = [{"url": MCODE + "mcode-related-condition", "valueReference": {"reference": "Condition/c"}}]
    assert errors(check_resource(resource)) == []


@pytest.mark.parametrize(
    ("resource", "location"),
    [
        (tumor_marker() | {"status": "bogus"}, "Observation.status"),
        (
            {
                "resourceType": "Condition",
                "clinicalStatus": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "cured"}]
                },
            },
            "Condition.clinicalStatus.coding[0].code",
        ),
    ],
)
def test_required_codes_are_checked_on_every_resource(resource: dict[str, Any], location: str) -> None:
    assert (location, "binding") in [(i.location, i.rule) for i in errors(check_resource(resource))]


def _tumor_size() -> dict[str, Any]:
    longest = {
        "code": {"coding": [{"system": LOINC, "code": "33728-7"}]},
        "valueQuantity": {"value": 2.1, "code": "cm"},
    }
    return {
        "resourceType": "Observation",
        "meta": {"profile": [MCODE + "mcode-tumor-size"]},
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "21889-1"}]},
        "subject": {"reference": "Patient/p"},
        "specimen": {"reference": "Specimen/s"},
        "component": [longest],
    }


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        (tumor_marker() | {"dataAbsentReason": {"text": "not done"}}, "obs-6"),  # a value and a reason it is absent
        ({k: v for k, v in _tumor_size().items() if k != "specimen"}, "must-have-focus-or-specimen-invariant"),
        (_tumor_size() | {"focus": [{"reference": "BodyStructure/t"}]}, "must-have-focus-or-specimen-invariant"),
    ],
)
def test_profile_invariants_are_evaluated(resource: dict[str, Any], key: str) -> None:
    assert errors(check_resource(_tumor_size())) == []
    assert ("Observation", key) in [(i.location, i.rule) for i in errors(check_resource(resource))]


def test_contained_resource_rules_apply_when_there_are_contained_resources() -> None:
    resource = tumor_marker() | {"contained": [{"resourceType": "Specimen", "id": "s"}]}
    resource["contained"][0]["meta"] = {"versionId": "2"}  # dom-4: contained resources carry no version
    assert ("Observation", "dom-4") in [(i.location, i.rule) for i in errors(check_resource(resource))]
