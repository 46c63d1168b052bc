"""Scoring extraction against a gold-annotated corpus (the JSONL format of ``shared/corpus/tcga``).

For each report and field we compare SETS: the distinct normalized values among the patient's results (assertion
present or historical) against the gold list. Fields in the report's ``ignore`` list are not scored. A value the
gold never uses is mapped to the gold's vocabulary first (``low-positive`` counts as ``positive``: the annotators
have no low-positive class, while our Finding keeps the finer value).

The corpus can be cut into two deterministic halves by a stable hash of the patient id: ``dev`` (the half rules are
written from) and ``check`` (held aside to measure how well they generalize).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from extract.finding import Extraction
from navis.errors import InputError

Split = Literal["dev", "check", "all"]

#: Our finer values that the gold vocabulary folds into a coarser one.
_GOLD_EQUIVALENT: dict[tuple[str, str], str] = {
    ("er_status", "low-positive"): "positive",
    ("pr_status", "low-positive"): "positive",
}


@dataclass(frozen=True)
class GoldReport:
    """One annotated report."""

    patient: str
    report_id: str
    text: str
    fields: dict[str, list[str]]
    ignore: frozenset[str]
    evidence: dict[str, str]


@dataclass(frozen=True)
class Miss:
    """One field of one report where prediction and gold disagree."""

    report_id: str
    patient: str
    field: str
    gold: tuple[str, ...]
    predicted: tuple[str, ...]
    quotes: tuple[str, ...]  # evidence of what we predicted
    gold_quote: str

    @property
    def kind(self) -> str:
        """``FP`` (only extra values), ``FN`` (only missing values) or ``FP+FN``."""
        extra = set(self.predicted) - set(self.gold)
        missing = set(self.gold) - set(self.predicted)
        return "+".join(k for k, v in (("FP", extra), ("FN", missing)) if v)


@dataclass
class FieldScore:
    """True positives, false positives and false negatives of one field, over value sets."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Evaluation:
    """Per-field scores, their micro-average and every miss."""

    split: Split
    reports: int
    scores: dict[str, FieldScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    @property
    def overall(self) -> FieldScore:
        total = FieldScore()
        for score in self.scores.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary (``navis eval --json``)."""
        return {
            "split": self.split,
            "reports": self.reports,
            "fields": {name: score.as_dict() for name, score in self.scores.items()},
            "overall": self.overall.as_dict(),
            "misses": [miss.__dict__ | {"kind": miss.kind} for miss in self.misses],
        }


def load_gold(path: Path) -> list[GoldReport]:
    """Read a gold JSONL file; a malformed line fails with the file name and line number (never its text)."""
    reports: list[GoldReport] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file {path.name}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            reports.append(
                GoldReport(
                    patient=str(row["patient"]),
                    report_id=str(row.get("report_id") or row["patient"]),
                    text=str(row["text"]),
                    fields={str(k): [str(v) for v in vs] for k, vs in row["fields"].items()},
                    ignore=frozenset(str(f) for f in row.get("ignore", [])),
                    evidence={str(k): str(v) for k, v in (row.get("evidence") or {}).items()},
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path.name} line {number}: not a gold report ({type(exc).__name__}: {exc})") from exc
    return reports


def split_of(patient: str) -> Literal["dev", "check"]:
    """The stable half a patient belongs to: a hash, so it never depends on file order or Python's hash seed."""
    digest = hashlib.sha256(patient.encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "check"


def select(reports: Iterable[GoldReport], split: Split) -> list[GoldReport]:
    """The reports of one split (``all`` keeps every report)."""
    return [r for r in reports if split == "all" or split_of(r.patient) == split]


def scored_value(field_name: str, value: str) -> str:
    """A predicted value in the gold's vocabulary."""
    return _GOLD_EQUIVALENT.get((field_name, value), value)


def predicted_values(extraction: Extraction, field_name: str) -> tuple[set[str], tuple[str, ...]]:
    """The set of scored values of ``field_name`` among patient results, and the quotes that support them."""
    values: set[str] = set()
    quotes: list[str] = []
    for finding in extraction.findings:
        if finding.field != field_name or not finding.is_patient_result:
            continue
        values.add(scored_value(field_name, finding.value))
        quotes.extend(f"{finding.value}: {e.quote}" for e in finding.evidence[:2])
    return values, tuple(quotes)


def evaluate(
    reports: Sequence[GoldReport],
    extract: Callable[[str], Extraction],
    fields: Sequence[str] | None = None,
    split: Split = "all",
) -> Evaluation:
    """Run ``extract`` over every report of ``split`` and score the chosen fields (default: every gold field)."""
    chosen = select(reports, split)
    names = list(fields) if fields else _gold_fields(chosen)
    result = Evaluation(split=split, reports=len(chosen), scores={name: FieldScore() for name in names})
    for report in chosen:
        extraction = extract(report.text)
        for name in names:
            if name in report.ignore or name not in report.fields:
                continue
            gold = set(report.fields[name])
            predicted, quotes = predicted_values(extraction, name)
            score = result.scores[name]
            score.tp += len(gold & predicted)
            score.fp += len(predicted - gold)
            score.fn += len(gold - predicted)
            if gold != predicted:
                result.misses.append(
                    Miss(
                        report_id=report.report_id,
                        patient=report.patient,
                        field=name,
                        gold=tuple(sorted(gold)),
                        predicted=tuple(sorted(predicted)),
                        quotes=quotes,
                        gold_quote=report.evidence.get(name, ""),
                    )
                )
    return result


def _gold_fields(reports: Sequence[GoldReport]) -> list[str]:
    names: list[str] = []
    for report in reports:
        names.extend(name for name in report.fields if name not in names)
    return names
