"""End to end on text PDFs (``make bench BENCH=pipeline``): a page ingested and extracted, and ``navis analyze``'s
whole run (start-up included) on a one-page text PDF. Targets: <= 30 ms median a page; <= 1.5 s a run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from extract.evaluate import load_gold
from extract.pipeline import extract
from ingest.load import load
from tests.support.pdf import PdfPage, write_pdf
from tests.support.scanned_eval import GOLD

LINES_PER_PAGE = 52
REPORTS = 40


def _one_page_pdfs() -> list[bytes]:
    """The first page of each of the first REPORTS development reports, as a text PDF."""
    pdfs = []
    for report in load_gold(GOLD)[:REPORTS]:
        lines = textwrap.wrap(report.text.replace(". ", ".\n"), 95)[:LINES_PER_PAGE]
        pdfs.append(write_pdf([PdfPage(texts=[(40, 40 + 13.5 * i, 9, line) for i, line in enumerate(lines)])]))
    return pdfs


def bench_page() -> None:
    """Median ms to ingest and extract one text-PDF page (a warm process, as in a worker)."""
    pdfs = _one_page_pdfs()
    extract(load(pdfs[0], "warm.pdf"))
    times = []
    for index, data in enumerate(pdfs):
        started = time.perf_counter()
        extract(load(data, f"page-{index}.pdf"))
        times.append((time.perf_counter() - started) * 1000)
    sys.stdout.write(
        f"text PDF page, ingest + extract: median {statistics.median(times):.1f} ms over {len(times)} "
        "pages (target <= 30 ms)\n"
    )


def bench_cli() -> None:
    """Median wall time of ``navis analyze`` on a one-page text PDF, process start to exit."""
    navis = Path(sys.executable).with_name("navis")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        pdf.write_bytes(_one_page_pdfs()[0])
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([str(navis), "analyze", str(pdf), "--out", folder], check=True, capture_output=True)
            runs.append(time.perf_counter() - started)
    sys.stdout.write(f"navis analyze, one-page text PDF: median {statistics.median(runs):.2f} s (target <= 1.5 s)\n")


def main() -> None:
    """Both figures; needs the development corpus for realistic report text."""
    if not GOLD.exists():
        sys.stdout.write("TCGA development corpus not present\n")
        return
    bench_page()
    bench_cli()


if __name__ == "__main__":
    main()
