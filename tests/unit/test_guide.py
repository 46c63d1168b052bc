"""``navis guide``: FHIR bundles plus a patient context file in, the tailored answer out in md, html or json."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from personalize.answer import build_answer
from personalize.render import to_html, to_markdown
from tests.unit.personalize_support import finding, profile_of, report

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
runner = CliRunner()


def _observation(ident: str, code: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2025-03-01",
        **value,
    }


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A clinic's bundle: HR+ HER2-low (IHC 1+) breast cancer with a bone metastasis."""
    resources = [
        {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1961-02-03"},
        {
            "resourceType": "Condition",
            "id": "met",
            "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": SNOMED, "code": "94222008"}]},
        },
        _observation("her2", "85319-2", {"valueCodeableConcept": {"text": "1+"}}),
        _observation("er", "85337-4", {"valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "10828004"}]}}),
        _observation("er-pct", "85329-1", {"valueQuantity": {"value": 90, "unit": "%"}}),
    ]
    path = tmp_path / "clinic-bundle.json"
    path.write_text(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def context(tmp_path: Path) -> Path:
    path = tmp_path / "me.yaml"
    path.write_text(
        "menopausal_status: post\n"
        "treatments:\n  - {name: anastrozole + ribociclib, setting: metastatic, response: progressed}\n",
        encoding="utf-8",
    )
    return path


def test_guide_json_is_the_tailored_contract(bundle: Path, context: Path) -> None:
    result = runner.invoke(app, ["guide", str(bundle), "--context", str(context), "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["kb_version"]
    sections = {section["id"]: section for section in answer["sections"]}
    options = {item["statement_id"] for item in sections["options"]["items"]}
    assert "opt.tdxd.hr-positive-low-ultralow" in options  # HER2-low, HR+, metastatic, after endocrine therapy
    results = sections["results"]["items"]
    her2 = next(item for item in results if item["title"] == "HER2 by IHC")
    assert her2["records"][0]["source"] == "clinic-bundle.json"
    assert any(ref["patient_reported"] for item in results for ref in item["records"])
    assert {source["id"] for source in answer["sources"]} >= {"S11"}


def test_guide_markdown_to_file(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "answer.md"
    result = runner.invoke(app, ["guide", str(bundle), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# What your results mean for treatment options")
    assert "## Options that depend on facts not in your records" in text
    assert "## Please note" in text


def test_guide_html(bundle: Path) -> None:
    result = runner.invoke(app, ["guide", str(bundle), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert '<html lang="en">' in result.output
    assert "@media print" in result.output
    assert 'aria-labelledby="h-options"' in result.output or 'aria-labelledby="h-depends"' in result.output


def test_guide_refuses_an_unknown_format(bundle: Path) -> None:
    result = runner.invoke(app, ["guide", str(bundle), "--format", "pdf"])
    assert result.exit_code == 2


def test_guide_bad_context_is_a_usage_error(bundle: Path, tmp_path: Path) -> None:
    bad = tmp_path / "ctx.yaml"
    bad.write_text("setting: sideways\n", encoding="utf-8")
    result = runner.invoke(app, ["guide", str(bundle), "--context", str(bad)])
    assert result.exit_code == 2
    assert "ctx.yaml" in result.output
    assert "sideways" not in result.output


def test_guide_malformed_bundle_is_an_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    observation = {"resourceType": "Observation", "status": "final"}  # no code: malformed
    broken.write_text(
        json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": observation}]})
    )
    result = runner.invoke(app, ["guide", str(broken)])
    assert result.exit_code == 2
    assert "code" in result.output


def test_html_escapes_text_from_records() -> None:
    hostile = "<script>alert(1)</script>"
    answer = build_answer(
        profile_of(report(f"{hostile}.pdf", finding("her2_ihc", "1+"), finding("histology", hostile)))
    )
    html = to_html(answer)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "\\<script\\>" in to_markdown(answer)


class _Outline(HTMLParser):
    """Headings, ids and in-page links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.labelled_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self.headings.append(tag)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and str(found.get("href", "")).startswith("#"):
            self.links.append(str(found["href"])[1:])
        if found.get("aria-labelledby"):
            self.labelled_by.append(str(found["aria-labelledby"]))


def test_html_outline_is_navigable() -> None:
    answer = build_answer(profile_of(report("a.pdf", finding("her2_ihc", "1+"), finding("stage_group", "IV"))))
    outline = _Outline()
    outline.feed(to_html(answer))
    assert outline.headings[0] == "h1"
    assert outline.headings.count("h1") == 1
    assert set(outline.headings[1:]) == {"h2"}  # no skipped levels
    assert set(outline.labelled_by) <= outline.ids  # every section is named by its heading
    assert set(outline.links) <= outline.ids  # every citation and the skip link land somewhere
