"""OCR accuracy: text F1 vs F1 on degraded scans of the development reports (``make bench BENCH=ocr_accuracy``).

``NAVIS_BENCH_OCR_STRIDE`` picks every N-th report (default 2; 1 for all 158, about 10 minutes on two cores).
"""

from __future__ import annotations

import os
import sys

from tests.support.scanned_eval import compare, sample


def main() -> None:
    """Print text and OCR F1 per field and overall."""
    reports = sample(int(os.environ.get("NAVIS_BENCH_OCR_STRIDE", "2")))
    if not reports:
        sys.stdout.write("TCGA development corpus not present\n")
        return
    result = compare(reports)
    sys.stdout.write(f"{result.reports} reports\n{'field':<16}{'text F1':>9}{'OCR F1':>9}\n")
    for name, score in result.text.scores.items():
        sys.stdout.write(f"{name:<16}{score.f1:>9.3f}{result.ocr.scores[name].f1:>9.3f}\n")
    sys.stdout.write(
        f"{'overall':<16}{result.text.overall.f1:>9.3f}{result.ocr.overall.f1:>9.3f}  (drop {result.drop:+.3f})\n"
    )


if __name__ == "__main__":
    main()
