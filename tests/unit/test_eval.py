"""Scoring against gold annotations: set comparison per field, ignore lists, splits and misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from extract import pipeline
from extract.evaluate import evaluate, load_gold, scored_value, select, split_of
from extract.finding import Assertion, Evidence, Extraction, Finding
from navis.errors import InputError


def _finding(field: str, value: str, assertion: Assertion = "present") -> Finding:
    evidence = Evidence(quote=f"{field} {value}", start=0, end=5)
    return Finding(field=field, value=value, evidence=(evidence,), assertion=assertion, rule_id="t")


def _write_gold(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _row(patient: str, text: str, fields: dict[str, list[str]], ignore: list[str] | None = None) -> dict[str, object]:
    return {"patient": patient, "report_id": None, "text": text, "fields": fields, "ignore": ignore or []}


def _fake_extract(text: str) -> Extraction:
    """Reads 'field=value' tokens; 'legend:' marks a legend statement (not a patient result)."""
    findings = []
    for token in text.split():
        assertion: Assertion = "legend" if token.startswith("legend:") else "present"
        field, value = token.removeprefix("legend:").split("=")
        findings.append(_finding(field, value, assertion))
    return Extraction(findings=tuple(findings))


def test_scores_value_sets_per_field(tmp_path: Path) -> None:
    gold = _write_gold(
        tmp_path / "g.jsonl",
        [
            _row(
                "P1",
                "er_status=positive er_status=positive her2_ihc=2+",
                {"er_status": ["positive"], "her2_ihc": ["1+"]},
            ),
            _row("P2", "legend:her2_ihc=3+", {"er_status": ["negative"], "her2_ihc": []}),
        ],
    )
    result = evaluate(load_gold(gold), _fake_extract, fields=["er_status", "her2_ihc"])
    er, her2 = result.scores["er_status"], result.scores["her2_ihc"]
    assert (er.tp, er.fp, er.fn) == (1, 0, 1)  # a repeated value counts once; P2's negative is missed
    assert (her2.tp, her2.fp, her2.fn) == (0, 1, 1)  # the legend's 3+ is not a patient value
    assert er.precision == 1.0
    assert er.recall == 0.5
    assert {(m.patient, m.field, m.kind) for m in result.misses} == {
        ("P1", "her2_ihc", "FP+FN"),
        ("P2", "er_status", "FN"),
    }


def test_ignored_fields_are_not_scored(tmp_path: Path) -> None:
    gold = _write_gold(tmp_path / "g.jsonl", [_row("P1", "pT=pT2", {"pT": ["pT3"]}, ignore=["pT"])])
    result = evaluate(load_gold(gold), _fake_extract, fields=["pT"])
    assert (result.scores["pT"].tp, result.scores["pT"].fp, result.scores["pT"].fn) == (0, 0, 0)
    assert result.misses == []


@pytest.mark.parametrize(
    ("field", "ours", "scored"),
    [
        ("er_status", "low-positive", "positive"),
        ("pr_status", "low-positive", "positive"),
        ("er_status", "negative", "negative"),
        ("her2_status", "equivocal", "equivocal"),
        ("er_percent", ">90", ">90"),
    ],
)
def test_finer_values_fold_into_the_gold_vocabulary(field: str, ours: str, scored: str) -> None:
    assert scored_value(field, ours) == scored


def test_split_is_stable_and_partitions_the_corpus(tmp_path: Path) -> None:
    rows = [_row(f"TCGA-{i:04d}", "", {}) for i in range(200)]
    reports = load_gold(_write_gold(tmp_path / "g.jsonl", rows))
    dev, check = select(reports, "dev"), select(reports, "check")
    assert len(dev) + len(check) == 200
    assert 60 < len(dev) < 140  # a hash split is roughly even
    assert {r.patient for r in dev}.isdisjoint(r.patient for r in check)
    assert all(split_of(r.patient) == "dev" for r in dev)
    assert select(list(reversed(reports)), "dev") == list(reversed(dev))


def test_malformed_gold_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_row("P1", "", {})) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl line 2"):
        load_gold(path)


def test_cli_prints_json_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "extract_text", _fake_extract)
    gold = _write_gold(tmp_path / "g.jsonl", [_row("P1", "er_status=positive", {"er_status": ["positive"]})])
    result = CliRunner().invoke(app, ["eval", str(gold), "--json", "--fields", "er_status"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["fields"]["er_status"]["tp"] == 1
    assert payload["overall"]["f1"] == 1.0


def test_cli_rejects_unknown_split(tmp_path: Path) -> None:
    gold = _write_gold(tmp_path / "g.jsonl", [_row("P1", "", {})])
    result = CliRunner().invoke(app, ["eval", str(gold), "--split", "train"])
    assert result.exit_code == 2


def test_cli_missing_gold_file_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "absent.jsonl")])
    assert result.exit_code == 2
    assert "absent.jsonl" in result.output


def test_cli_lists_misses_with_both_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "extract_text", _fake_extract)
    row = _row("P9", "er_status=negative", {"er_status": ["positive"]})
    row["evidence"] = {"er_status": "ER: POSITIVE"}
    gold = _write_gold(tmp_path / "g.jsonl", [row])
    result = CliRunner().invoke(app, ["eval", str(gold), "--misses", "--split", "all"])
    assert result.exit_code == 0, result.output
    assert "P9" in result.output
    assert "er_status negative" in result.output  # our evidence
    assert "ER: POSITIVE" in result.output  # the gold evidence
    assert "split=all" in result.output
