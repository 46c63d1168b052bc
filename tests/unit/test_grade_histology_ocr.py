"""Grade and histologic type read through OCR damage: synthetic sentences shaped like Tesseract's output on scans.

Each damage class is read (and marked repaired) or, where the glyphs could stand for two grades, reported unreadable
and never guessed. The negative rows keep OCR-looking words outside a grade statement out of the grade.
"""

from __future__ import annotations

import pytest

from extract.extractors import grade, histology
from extract.pipeline import extract_text


def grade_reads(text: str) -> set[tuple[str, bool]]:
    """(value, repaired) of every readable grade candidate in ``text``."""
    return {(c.value, c.repaired) for c in grade.find(text) if "unreadable" not in c.details}


def grade_unreadable(text: str) -> list[str]:
    return [c.details["unreadable"] for c in grade.find(text) if "unreadable" in c.details]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the stroke of I printed as l, | or (beside another stroke) 1
        ("Invasive ductal carcinoma, Nottingham grade Il (of III), 2.0 cm", {("2", True)}),
        ("MODIFIED SBR GRADE lI. MARGINS FREE", {("2", True)}),
        ("SBR GRADE IIl. TUMOR SIZE 3.3 CM", {("3", True)}),
        ("Scarff-Bloom-Richardson grade II|, necrosis present", {("3", True)}),
        ("Histologic grade: I1 (of III)", {("2", True)}),
        ("Histologic grade: 1l (of III)", {("2", True)}),
        ("Histologic grade: l1. Margins negative", {("2", True)}),
        ("Composite histologic (modified SBR) grade: |. Architecture: 2", {("1", True)}),
        ("Infiltrating lobular carcinoma, Nottingham grade | (of III) [tubules 3/3]", {("1", True)}),
        ("Infiltrating lobular carcinoma, Nottingham grade l, 1.2 cm", {("1", True)}),
        ("Concluding tumor classification: NOS, G Ill, pT2", {("3", True)}),
        # a denominator printed with OCR strokes is still III; the value is marked repaired
        ("Invasive ductal carcinoma, grade III/Ill, 2.0 cm in greatest dimension", {("3", True)}),
        ("HISTOLOGIC GRADE(EEmSBR): II of Ill (Tubules score 2)", {("2", True)}),
        ("Nottingham grade I (of IlI) [tubules 3/3, nuclei 1/3]", {("1", True)}),
        # clean forms stay clean: a written-out denominator after '(of.' and a ']' closing an earlier '['
        ("Infiltrating ductal carcinoma, Nottingham grade II (of. III) [tubules 3/3]", {("2", False)}),
        ("[tubules 3/3, nuclei 1/3, mitoses 1/3; Nottingham grade I] is identified", {("1", False)}),
        # the top grade may start a line: no stroke can be missing from it
        ("Infiltrating ductal carcinoma, Nottingham grade\nIll (of Ill), 2.5 cm", {("3", True)}),
    ],
)
def test_grade_read_through_ocr_strokes(text: str, expected: set[tuple[str, bool]]) -> None:
    assert grade_reads(text) == expected
    assert grade_unreadable(text) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # a broken stroke: 'I]' was II on the scan, 'II]' was II or III
        ("Modified Scarff Bloom Richardson Grade: I] (6-7 points). Necrosis: Present", "grade numeral not legible"),
        ("NOTTINGHAM GRADE: II] (SEE COMMENT). TUMOR SIZE: 2 CM", "grade numeral not legible"),
        ("Nottingham grade I! (of III)", "grade numeral not legible"),
        # four strokes are no grade
        ("BLOOM-RICHARDSON GRADE IIIl. THE TUMOR MEASURES 10.5 CM", "grade numeral not legible"),
        # a Roman denominator other than III: strokes were lost around the value, which may have lost one too
        ("HISTOLOGIC GRADE(EEmSBR): II of II (Tubules score 2 + NG score 3)", "grade denominator not legible"),
        ("Nottingham. grade Il (of Il), forming a 2.5 cm mass", "grade denominator not legible"),
        ("Composite histologic (modified SBR) grade: I/II] (satellite #2)", "grade denominator not legible"),
        ("SCARFF-BLOOM-RICHARDSON GRADE III/IIIl. THE TUMOR", "grade denominator not legible"),
        # a line-initial numeral read through OCR strokes may have lost its first stroke ('Il' for III)
        ("Infiltrating ductal carcinoma, Nottingham grade\nIl (of Ill) [tubules 3/3]", "grade numeral not legible"),
        ("Infiltrating ductal carcinoma, Nottingham grade\n| (of III)", "grade numeral not legible"),
    ],
)
def test_ambiguous_ocr_numeral_is_unreadable_never_guessed(text: str, reason: str) -> None:
    assert grade_reads(text) == set()
    assert grade_unreadable(text) == [reason]


def test_unreadable_grade_reaches_the_extraction_as_unreadable() -> None:
    extraction = extract_text("Invasive ductal carcinoma. Modified Scarff Bloom Richardson Grade: I] (6-7 points).")
    assert extraction.values("grade") == []
    assert [u.reason for u in extraction.unreadable if u.field == "grade"] == ["grade numeral not legible"]


def test_total_score_speaks_when_the_stated_grade_is_illegible() -> None:
    (unreadable, derived) = grade.find("Nottingham grade: II] (total score 7/9)")
    assert "unreadable" in unreadable.details
    assert (derived.value, derived.details["derived"]) == ("2", "from total score")


def test_ocr_grade_read_has_lower_confidence_than_clean_one() -> None:
    clean = extract_text("Invasive ductal carcinoma, Nottingham grade II (of III).")
    damaged = extract_text("Invasive ductal carcinoma, Nottingham grade Il (of III).")
    (clean_grade,) = [f for f in clean.findings if f.field == "grade"]
    (damaged_grade,) = [f for f in damaged.findings if f.field == "grade"]
    assert damaged_grade.value == clean_grade.value == "2"
    assert damaged_grade.confidence < clean_grade.confidence


@pytest.mark.parametrize(
    "text",
    [
        # OCR-looking words outside a histologic grade statement
        "Level Il axillary lymph nodes, excision: two lymph nodes negative (0/2)",
        "Pathologic stage Il B. Margins negative",
        "Ill-defined mass in the upper outer quadrant",
        "DUCTAL CARCINOMA IN SITU, NUCLEAR GRADE Il, with comedonecrosis",
        "Nuclear grade: Ill of Ill",
        # ' | ' is a flattened table's cell separator, not OCR's I
        "Histologic grade | 2 | Nuclear grade | 3",
        "Nottingham grade | Moderately | see comment",
        # a range or a second numeral after the first is no single grade
        "Invasive carcinoma, Nottingham grade I-Il",
        "Nottingham grade Il to Ill",
        # '11' is a number, not II
        "Nottingham grade 11 (see note)",
    ],
)
def test_ocr_looking_words_elsewhere_give_no_grade(text: str) -> None:
    assert {c.value for c in grade.find(text)} == set()


@pytest.mark.parametrize(
    "text",
    [
        "Nottingham grade: I = 3-5 points, II = 6-7 points, III = 8-9 points.",
        "Histologic grade (Nottingham): Il = 6-7 points; Ill = 8-9 points.",
        "Legend: grade Il = moderately differentiated.",
    ],
)
def test_grade_in_a_printed_scale_is_not_the_patients(text: str) -> None:
    assert extract_text(text).values("grade") == []


def histology_reads(text: str) -> set[tuple[str, bool]]:
    return {(c.value, c.repaired) for c in histology.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a grade numeral printed '|' or 'l' inside the phrase no longer cuts it short
        ("Histologic type: Mixed infiltrating lobular and grade | ductal. carcinoma.", {("mixed", True)}),
        ("Mixed infiltrating lobular and grade |\nductal. carcinoma.", {("mixed", True)}),
        ("Mixed infiltrating lobular and grade l ductal carcinoma", {("mixed", True)}),
        # type words with the l printed as i, I, 1 or |
        ("Again, there is associated invasive lobuiar carcinoma, 2.3 cm", {("lobular", True)}),
        ("INVASIVE IOBULAR CARCINOMA, CLASSIC TYPE", {("lobular", True)}),
        ("Invasive ductaI carcinoma, 1.5 cm", {("ductal", True)}),
        ("INVASIVE PAPILIARY CARCINOMA", {("other", True)}),
        ("Invasive carcinoma with lobu1ar features", {("lobular", True)}),
        # clean text stays clean
        ("Mixed infiltrating lobular and grade I ductal. carcinoma.", {("mixed", False)}),
        ("Invasive lobular carcinoma, pleomorphic type", {("lobular", False)}),
    ],
)
def test_histology_read_through_ocr_damage(text: str, expected: set[tuple[str, bool]]) -> None:
    assert histology_reads(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one letter from two classes (lobular or tubular): not read
        ("tobular carcinoma in situ", set()),
        ("invasive lubular carcinoma", set()),
        # a cell separator ends the phrase: the cells are not one tumour's words
        ("Lobular | ductal carcinoma", {("ductal", False)}),
        ("Tumor type | Invasive ductal carcinoma", {("ductal", False)}),
        # OCR spellings keep the in-situ trap
        ("associated lobuiar carcinoma in-situ", set()),
    ],
)
def test_histology_ocr_traps(text: str, expected: set[tuple[str, bool]]) -> None:
    assert histology_reads(text) == expected
