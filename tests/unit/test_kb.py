"""The knowledge base loads, is versioned and covers the clinical brief; the validator refuses bad statements."""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path
from typing import Any

import pytest
import yaml

from navis.errors import ConfigError
from personalize.kb_load import KB_DIR, load_kb

GOOD = {
    "id": "test.example",
    "kind": "meaning",
    "when": {"field": "her2_category", "is": "low"},
    "text": "An example statement that is long enough to pass the schema.",
    "sources": ["S1"],
    "verification": "V",
    "reviewed": "2026-11-25",
}


def test_packaged_kb_loads_with_a_version() -> None:
    kb = load_kb()
    assert kb.version
    assert len(kb.statements) > 80
    assert all(statement.sources and statement.reviewed for statement in kb.statements)


def test_every_item_of_the_brief_is_covered() -> None:
    kb = load_kb()
    covered = {item for statement in kb.statements for item in statement.covers}
    assert {item.id for item in kb.coverage} <= covered
    assert {f"G{n}" for n in range(1, 13)} <= covered


def test_no_unverified_statement_reads_as_fact() -> None:
    kb = load_kb()
    markers = kb.manifest.unverified_markers
    for statement in kb.statements:
        if statement.verification == "U":
            assert any(marker in statement.text.lower() for marker in markers), statement.id


def test_options_never_give_orders() -> None:
    banned = ("you should take", "you should start", "you must take", "mg", "dose of", "will cure", "guarantee")
    for statement in load_kb().statements:
        text = " ".join(filter(None, [statement.text, statement.evidence])).lower()
        assert not any(word in text.split() or f" {word} " in f" {text} " for word in banned), statement.id


def _kb_with(tmp_path: Path, statement: dict[str, Any]) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(KB_DIR, copy)
    path = copy / "general.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["statements"].append(statement)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sources": []}, "no source"),
        ({"sources": ["S999"]}, "unknown source S999"),
        ({"reviewed": None}, "reviewed"),
        ({"verification": "U"}, "U \\(unverified\\) fact stated as fact"),
        ({"when": {"field": "her2_score", "is": "low"}}, "unknown profile field 'her2_score'"),
        ({"when": {"field": "her2_category", "is": "HER2-lowish"}}, "has no value 'HER2-lowish'"),
        ({"when": {"field": "setting", "gte": 3}}, "not a number field"),
        ({"kind": "option"}, "option needs therapy, approval, evidence and a condition"),
        ({"about": "opt.nonexistent", "kind": "not-applicable"}, "about names unknown option"),
        ({"asserts": {"her2_category": "positive"}}, "asserts her2_category=positive"),
        ({"covers": ["G99"]}, "unknown item G99"),
    ],
)
def test_validator_refuses(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    statement = {**GOOD, **change}
    statement = {key: value for key, value in statement.items() if value is not None}
    with pytest.raises(ConfigError, match=message):
        load_kb.__wrapped__(_kb_with(tmp_path, statement))


def test_unverified_statement_worded_as_such_is_accepted(tmp_path: Path) -> None:
    statement = {**GOOD, "verification": "U", "text": "We could not confirm this yet; ask your oncologist about it."}
    kb = load_kb.__wrapped__(_kb_with(tmp_path, statement))
    assert "test.example" in kb.by_id()


def test_bad_file_names_file_and_key(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(KB_DIR, copy)
    (copy / "safety.yaml").write_text("statements:\n  - {id: safety.x, kind: safety}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"safety\.yaml: safety\.x: text"):
        load_kb.__wrapped__(copy)


def test_uncovered_item_fails(tmp_path: Path) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(KB_DIR, copy)
    coverage = yaml.safe_load((copy / "coverage.yaml").read_text(encoding="utf-8"))
    coverage["items"].append({"id": "th.new-drug", "section": "2", "name": "a new drug"})
    (copy / "coverage.yaml").write_text(yaml.safe_dump(coverage), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"th\.new-drug"):
        load_kb.__wrapped__(copy)


def _syllables(word: str) -> int:
    letters = re.sub(r"[^a-z]", "", word.lower())
    count = len(re.findall(r"[aeiouy]+", letters))
    if letters.endswith("e") and count > 1 and not letters.endswith("le"):
        count -= 1
    return max(1, count) if letters else 0


def _grade(text: str) -> float:
    """Flesch-Kincaid grade level (drug names like "trastuzumab" push it up; the bound allows for them)."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    return 0.39 * len(words) / len(sentences) + 11.8 * sum(map(_syllables, words)) / len(words) - 15.59


def test_patient_text_reads_at_about_grade_8_to_10() -> None:
    grades = {statement.id: _grade(statement.text) for statement in load_kb().statements}
    assert statistics.median(grades.values()) <= 10.5
    too_hard = {key: round(value, 1) for key, value in grades.items() if value > 15}
    assert not too_hard
