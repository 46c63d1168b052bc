"""Where OCR ended a line (extract.lines): the one rule behind sentence starts and flattened-table lines."""

from __future__ import annotations

import pytest

from extract.lines import LINE_BREAK
from extract.nlp import get_nlp


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("ER: positive. PR: negative", ["ER: positive", "PR: negative"]),
        ("Tumor size 2.5 cm. 3 lymph nodes", ["Tumor size 2.5 cm", "3 lymph nodes"]),
        ("Diagnosis. - Part A. (left) [B] #2", ["Diagnosis", "- Part A", "(left) [B] #2"]),
        ("HER2\n\n  1+\fKi-67", ["HER2", "1+", "Ki-67"]),
        # a period before a lower-case word, or with no space after it, ends no line
        ("carcinoma, i.e. ductal. e.g. no special type", ["carcinoma, i.e. ductal. e.g. no special type"]),
        ("Ki-67 12.5%", ["Ki-67 12.5%"]),
    ],
)
def test_line_ends(text: str, lines: list[str]) -> None:
    starts = [0, *(m.end() for m in LINE_BREAK.finditer(text))]
    ends = [*(m.start() for m in LINE_BREAK.finditer(text)), len(text)]
    assert [text[a:b] for a, b in zip(starts, ends, strict=True)] == lines


def test_sentences_start_where_lines_start() -> None:
    text = "ER: positive (90%). PR: negative; HER2: 1+\nKi-67: 10%. see note"
    doc = get_nlp()(text)
    assert [s.text.strip() for s in doc.sents] == [
        "ER: positive (90%).",
        "PR: negative; HER2: 1+",
        "Ki-67: 10%. see note",
    ]
