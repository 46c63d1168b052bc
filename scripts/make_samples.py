"""Write the synthetic demo reports in ``samples/`` (run from the repository root).

    .venv/bin/python -m scripts.make_samples

Three invented breast-pathology reports, one per way a report reaches us: a text PDF with a ruled biomarker table,
a scanned page as PNG, and a plain-text file. No real patient: names, places and dates are made up. The output is
deterministic, so re-running it leaves the committed files unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tests.support.pdf import PdfPage, write_pdf
from tests.support.render import render_pages

SAMPLES = Path("samples")
BANNER = "SYNTHETIC DEMO REPORT - invented for testing, not a real patient"

TABLE = [
    ("Marker", "Result", "Details"),
    ("Estrogen receptor (ER, SP1)", "Positive", "95% of tumor cells, strong"),
    ("Progesterone receptor (PR, 1E2)", "Negative", "0% of tumor cells"),
    ("HER2 (IHC, 4B5)", "Equivocal (2+)", "complete weak membrane staining, 30%"),
    ("HER2 (FISH)", "Not amplified", "HER2/CEP17 ratio 1.3; 3.1 copies/cell"),
    ("Ki-67 (MIB-1)", "20%", ""),
]
PDF_BEFORE = [
    (13, "NORTHWIND REGIONAL PATHOLOGY"),
    (9, BANNER),
    (10, "Patient: Demo Patient A     Collected: 2025-03-04     Reported: 2025-03-07"),
    (10, "Specimen: Left breast, lumpectomy with sentinel lymph node biopsy"),
    (11, "FINAL DIAGNOSIS"),
    (10, "Invasive ductal carcinoma (no special type), Nottingham grade 2 (3+2+1)."),
    (10, "Tumor size: 2.3 cm. Margins negative (closest 5 mm, posterior)."),
    (10, "Lymph nodes: 1 of 3 sentinel lymph nodes with metastasis (4 mm)."),
    (11, "BREAST BIOMARKERS (block A2)"),
]
PDF_AFTER = [
    (11, "COMMENT"),
    (10, "HER2 is IHC 2+ without amplification by FISH (ASCO/CAP group 5): HER2-low."),
    (10, "Pathologic stage (AJCC 8th edition): pT2 pN1a."),
]

SCAN = "\n".join(
    [
        "RIVERBEND MEDICAL CENTER - DEPARTMENT OF PATHOLOGY",
        BANNER,
        "",
        "Specimen: Right breast, lumpectomy",
        "Diagnosis: Invasive lobular carcinoma, classic type, grade 2",
        "Tumor size: 1.4 cm",
        "Margins: negative (closest 4 mm, anterior)",
        "Lymph nodes: 0 of 2 sentinel lymph nodes involved",
        "",
        "Estrogen receptor: positive, 80%, moderate intensity",
        "Progesterone receptor: positive, 30%, weak to moderate",
        "HER2 by IHC (4B5): 1+ (negative; HER2-low)",
        "Ki-67: 10%",
        "",
        "Pathologic stage (AJCC 8th edition): pT1c pN0(sn)",
    ]
)

PLAIN = f"""{BANNER}
LAKESIDE UNIVERSITY HOSPITAL - SURGICAL PATHOLOGY

Clinical history: 41-year-old woman, known BRCA1 carrier (germline pathogenic variant c.5266dupC).
Mother diagnosed with breast cancer at 45.

Specimen: Right breast, 10 o'clock, ultrasound-guided core needle biopsy.

FINAL DIAGNOSIS:
Invasive ductal carcinoma, no special type, Nottingham grade 3 (3+3+3 = 9).

BIOMARKERS (block A1):
Estrogen receptor (SP1): NEGATIVE (<1% of tumor cells).
Progesterone receptor (1E2): NEGATIVE (0%).
HER2 (4B5): 0 (no membrane staining; HER2-null).
Ki-67: 70%.
External and internal controls stained appropriately.

HER2 interpretation guide: 0 and 1+ negative, 2+ equivocal, 3+ positive.
"""


def text_pdf() -> bytes:
    """A one-page text PDF: heading lines, the ruled biomarker table, a comment."""
    page = PdfPage()
    y = 60.0
    for size, line in PDF_BEFORE:
        y += size + 8
        page.texts.append((50, y, size, line))
    top, row_height, columns = y + 12, 20.0, (50.0, 215.0, 310.0, 562.0)
    for r, row in enumerate(TABLE):
        page.texts.extend((columns[c] + 5, top + r * row_height + 14, 9, cell) for c, cell in enumerate(row) if cell)
    bottom = top + len(TABLE) * row_height
    page.lines.extend(
        (columns[0], top + r * row_height, columns[-1], top + r * row_height) for r in range(len(TABLE) + 1)
    )
    page.lines.extend((x, top, x, bottom) for x in columns)
    y = bottom + 10
    for size, line in PDF_AFTER:
        y += size + 8
        page.texts.append((50, y, size, line))
    return write_pdf([page])


def main() -> None:
    """Write the three samples and log their sizes."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    SAMPLES.mkdir(exist_ok=True)
    (SAMPLES / "her2-low-table.pdf").write_bytes(text_pdf())
    (scan,) = render_pages(SCAN, dpi=200, skew_deg=1.2, shade=0.25)
    # Four gray levels (black to paper) keep the look of a scan at a fraction of the file size.
    scan.point(lambda level: level // 64 * 85).save(SAMPLES / "her2-low-scan.png", optimize=True)
    (SAMPLES / "triple-negative.txt").write_text(PLAIN, encoding="utf-8")
    for path in sorted(SAMPLES.iterdir()):
        logging.getLogger(__name__).info("%s: %d bytes", path, path.stat().st_size)


if __name__ == "__main__":
    main()
