"""Every field extractor of the staging/genomics family on arbitrary and hostile text: spans stay inside the text,
fields and values are well-formed, and pathological inputs (long runs of near-matches) finish."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.extractors import genomics, grade, histology, misc, stage, tnm
from extract.finding import FIELDS

EXTRACTORS = (tnm, stage, grade, histology, genomics, misc)

# characters that build the tokens these rules look for, so random text often comes close to a match
_ALPHABET = "pTNMcyOolIi0123456789abcdx()/:;,.- +%#IVGstagegradeBRCAcarcinomaductallobular"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=200))
def test_candidates_are_well_formed_on_any_text(text: str) -> None:
    for extractor in EXTRACTORS:
        for candidate in extractor.find(text):
            assert candidate.field in FIELDS
            assert 0 <= candidate.start < candidate.end <= len(text)
            assert candidate.value
            assert 0.0 <= candidate.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "pT1 " * 3000,
        "N0(" * 4000,
        "pN0 (i-" * 2000,
        "carcinoma " * 3000,
        "invasive ductal " * 2000,
        "Nottingham grade " * 2000,
        "BRCA1 " * 3000,
        "Tumor size: " + "1 x " * 3000 + "cm",
        "(" * 10000 + ")" * 10000,
        "Stage " * 4000,
    ],
    ids=lambda text: text[:12].strip(),
)
def test_hostile_repetitions_finish(text: str) -> None:
    for extractor in EXTRACTORS:
        found = list(extractor.find(text))
        assert all(0 <= c.start < c.end <= len(text) for c in found)
