"""The engine: lazy pipeline, evidence (quote, offsets, page, section, OCR confidence), merging, conflicts, rules."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from extract import rulefiles
from extract.nlp import rules_version
from extract.pipeline import extract, extract_text
from ingest.document import Box, Document, Page, Word
from navis.errors import ConfigError


def _document(pages: list[str], words: tuple[Word, ...] = ()) -> Document:
    text = "\f".join(pages)
    spans, start = [], 0
    for number, page in enumerate(pages, start=1):
        spans.append(Page(number=number, start=start, end=start + len(page), source="ocr" if words else "plain"))
        start += len(page) + 1
    data = text.encode()
    return Document(
        text=text,
        pages=tuple(spans),
        media_type="text/plain",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        words=words,
    )


def _words(text: str, confidence: float) -> tuple[Word, ...]:
    words, offset = [], 0
    for token in text.split(" "):
        words.append(Word(offset, offset + len(token), 1, Box(0, 0, 1, 1), confidence))
        offset += len(token) + 1
    return tuple(words)


def test_importing_extract_loads_no_nlp_library() -> None:
    code = (
        "import sys, extract.pipeline, api.commands.evaluate; "
        "print(sorted(m for m in ('spacy', 'medspacy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("text", ["", "   \f  ", "ER", "HER2", "3+", "Ki-67: %"])
def test_empty_or_tiny_text_gives_an_empty_extraction(text: str) -> None:
    extraction = extract_text(text)
    assert extraction.findings == ()
    assert extraction.rules_version


def test_rules_version_comes_from_the_rule_data() -> None:
    assert extract_text("ER: positive").rules_version == rules_version() != ""


def test_evidence_quotes_the_source_with_offsets_and_section() -> None:
    text = "FINAL DIAGNOSIS: Invasive carcinoma. ESTROGEN RECEPTORS: POSITIVE (90%)."
    (finding,) = [f for f in extract_text(text).findings if f.field == "er_status"]
    (evidence,) = finding.evidence
    assert text[evidence.start : evidence.end] == evidence.quote
    assert "POSITIVE" in evidence.quote
    assert evidence.section == "diagnosis"
    assert evidence.page == 1


def test_repeated_value_is_one_finding_with_several_evidence_spans() -> None:
    text = "DIAGNOSIS: ER: positive. PR: negative. SYNOPTIC REPORT: Estrogen receptor: Positive."
    er = [f for f in extract_text(text).findings if f.field == "er_status"]
    assert len(er) == 1
    assert len(er[0].evidence) == 2
    assert {e.section for e in er[0].evidence} == {"diagnosis", "synoptic"}


def test_conflicting_values_in_one_specimen_are_kept_and_flagged() -> None:
    findings = extract_text("ER: positive. Comment: ER: negative.").findings
    er = {f.value: f for f in findings if f.field == "er_status"}
    assert set(er) == {"positive", "negative"}
    assert all(f.details.get("conflict") == "yes" for f in er.values())


def test_specimen_label_is_attached() -> None:
    text = "PART 2: BREAST, LEFT, EXCISION: carcinoma. Ki-67: 15%."
    (finding,) = [f for f in extract_text(text).findings if f.field == "ki67_percent"]
    assert finding.specimen == "2"
    assert finding.details.get("side") == "left"


def test_page_of_the_evidence_is_reported() -> None:
    document = _document(["Page one has no markers.", "Estrogen receptor: negative (0%)."])
    (finding,) = [f for f in extract(document).findings if f.field == "er_status"]
    assert finding.evidence[0].page == 2


def test_ocr_confidence_lowers_confidence_and_very_low_is_unreadable() -> None:
    text = "Ki-67: 30%."
    sure = [f for f in extract(_document([text], _words(text, 96))).findings if f.field == "ki67_percent"]
    doubtful = [f for f in extract(_document([text], _words(text, 60))).findings if f.field == "ki67_percent"]
    assert doubtful[0].confidence < sure[0].confidence
    assert doubtful[0].evidence[0].ocr_confidence == 60
    unreadable = extract(_document([text], _words(text, 12)))
    assert unreadable.values("ki67_percent") == []
    assert [u.field for u in unreadable.unreadable] == ["ki67_percent"]


class _Shape(BaseModel):
    pattern: rulefiles.Regex


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("pattern: '(unclosed'\n", r"bad\.yaml: key pattern: .*bad regex"),
        ("pattern: [\n", r"bad\.yaml: not valid YAML"),
        ("other: 1\n", r"bad\.yaml: key pattern: Field required"),
    ],
)
def test_bad_rule_file_names_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    monkeypatch.setattr(rulefiles, "RULES_DIR", tmp_path)
    rulefiles._raw.cache_clear()
    try:
        with pytest.raises(ConfigError, match=message):
            rulefiles.load_rule_file("bad.yaml", _Shape)
    finally:
        rulefiles._raw.cache_clear()


@pytest.mark.parametrize(
    "name", ["sections.yaml", "context.yaml", "markers.yaml", "receptors.yaml", "her2.yaml", "ki67.yaml"]
)
def test_engine_rule_files_note_their_sources(name: str) -> None:
    head = (rulefiles.RULES_DIR / name).read_text(encoding="utf-8")[:1500].lower()
    assert "source" in head


def test_addendum_value_replaces_the_earlier_one_which_stays_as_history() -> None:
    text = "FINAL DIAGNOSIS: Estrogen receptor: negative. ADDENDUM: Estrogen receptor repeated on block A2: positive."
    extraction = extract_text(text)
    assert extraction.values("er_status") == ["positive"]
    assert [(f.field, f.value) for f in extraction.superseded] == [("er_status", "negative")]


def test_announced_results_are_listed_as_pending() -> None:
    extraction = extract_text("ER/PR: pending. Ki-67: to follow.")
    assert extraction.findings == ()
    assert {(f.field, f.value) for f in extraction.pending} == {
        ("er_status", "pending"),
        ("pr_status", "pending"),
        ("ki67_percent", "pending"),
    }


def test_findings_of_a_report_headed_amended_say_so() -> None:
    text = "AMENDED REPORT.\nFINAL DIAGNOSIS: Estrogen receptor: positive (90%). ESR1 mutation not detected."
    statuses = {(f.field, f.value): f.details.get("report_status") for f in extract_text(text).findings}
    assert statuses == {
        ("er_status", "positive"): "amended",
        ("er_percent", "90"): "amended",
        ("esr1", "not-detected"): "amended",
    }


def test_a_mention_of_an_amendment_leaves_findings_unmarked() -> None:
    extraction = extract_text("Estrogen receptor: positive (90%). See amended report dated 01/02/2020.")
    assert extraction.findings
    assert all("report_status" not in f.details for f in extraction.findings)
