"""Ingest speed and memory against issue 2's targets.

    .venv/bin/python -m tests.bench.bench_ingest [--scan-pages 50]

- text-PDF page ingest, median ms (target, with extraction: <= 30 ms a page);
- OCR overhead: our time for one 300 dpi page vs the raw ``tesseract`` CLI on the same image (target <= 10% over);
- a 4-page scan with 1 and with 2 OCR workers (both cores used: about half the time);
- peak RSS while ingesting a 50-page scan (target <= 400 MB), measured in a child process.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PIL import Image

from ingest.load import load
from navis.settings import Settings
from tests.support.pdf import PdfPage, write_pdf
from tests.support.render import render_pages

REPORT = "\n".join(
    [
        "SURGICAL PATHOLOGY REPORT",
        "Specimen: left breast, lumpectomy with sentinel lymph node biopsy.",
        "Diagnosis: invasive ductal carcinoma, no special type, Nottingham grade 2 (3+2+1).",
        "Tumor size 2.3 cm; margins negative, closest 5 mm (posterior).",
        "Estrogen receptor (SP1): positive, 95% of tumor cells, strong intensity.",
        "Progesterone receptor (1E2): negative (0%).",
        "HER2 (4B5): 2+ (equivocal); HER2 FISH not amplified, HER2/CEP17 ratio 1.3.",
        "Ki-67: 20%. Lymph nodes: 1 of 3 sentinel nodes with a 4 mm metastasis.",
        "Pathologic stage (AJCC 8th edition): pT2 pN1a.",
    ]
    * 4
)


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    action()  # warm-up: imports and caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _text_pdf(pages: int, *, table: bool) -> bytes:
    built = []
    for n in range(pages):
        page = PdfPage(texts=[(50, 60 + 14 * i, 10, line) for i, line in enumerate(REPORT.splitlines()[:30])])
        page.texts.append((50, 40, 10, f"Page {n + 1}"))
        if table:
            top = 520.0
            for r, row in enumerate(("ER | Positive | 95%", "PR | Negative | 0%", "HER2 IHC | 2+ | equivocal")):
                page.texts.extend(
                    (55 + c * 170, top + r * 20 + 14, 10, cell) for c, cell in enumerate(row.split(" | "))
                )
            page.lines.extend((50, top + r * 20, 560, top + r * 20) for r in range(4))
            page.lines.extend((x, top, x, top + 60) for x in (50, 220, 390, 560))
        built.append(page)
    return write_pdf(built)


def bench_text_pdf(settings: Settings) -> None:
    """Median ms per text-layer page: plain pages and pages with a ruled table (pdfplumber)."""
    for table in (False, True):
        ten, one = _text_pdf(10, table=table), _text_pdf(1, table=table)
        per_page = _median_ms(partial(load, ten, "bench.pdf", settings), repeats=15) / 10
        single = _median_ms(partial(load, one, "bench.pdf", settings), repeats=30)
        kind = "with a ruled table" if table else "text only"
        print(f"text PDF page, {kind}: {per_page:.1f} ms/page in a 10-page PDF; {single:.1f} ms for a 1-page PDF")


def _tesseract_cli_s(path: Path) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    subprocess.run(
        ["tesseract", str(path), str(path.with_suffix("")), "--psm", "3", "tsv"],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def bench_ocr_overhead(settings: Settings, workdir: Path) -> None:
    """One 300 dpi page: load() with one worker against the tesseract CLI on the very same image file."""
    (page,) = render_pages(REPORT, dpi=300)
    path = workdir / "page.png"
    page.save(path)
    data = path.read_bytes()
    one_worker = settings.model_copy(update={"ocr_workers": 1})
    ours, raw = [], []
    for _ in range(3):  # interleaved, so both see the same load from other users of the machine
        raw.append(_tesseract_cli_s(path))
        started = time.perf_counter()
        load(data, "page.png", one_worker)
        ours.append(time.perf_counter() - started)
    ours_s, raw_s = statistics.median(ours), statistics.median(raw)
    print(f"OCR one 300 dpi page: ours {ours_s:.2f} s, tesseract CLI {raw_s:.2f} s, overhead {ours_s / raw_s - 1:+.1%}")


def _tiff(pages: int, dpi: int) -> bytes:
    frames = [render_pages(f"PAGE {n + 1}\n{REPORT}", dpi=dpi)[0] for n in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    return buffer.getvalue()


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_parallel(settings: Settings) -> None:
    """Wall time of a 4-page 300 dpi scan with 1 and with 2 OCR worker processes.

    CPU seconds of the (reaped) workers and their Tesseracts over wall seconds is the number of cores kept busy on
    average: near 2 with two workers even when other load on a shared machine hides the wall-time gain.
    """
    data = _tiff(4, 300)
    for workers in (1, 2):
        cpu_before, started = _children_cpu_s(), time.perf_counter()
        load(data, "scan.tif", settings.model_copy(update={"ocr_workers": workers}))
        wall, cpu = time.perf_counter() - started, _children_cpu_s() - cpu_before
        print(
            f"4-page scan, {workers} worker(s): {wall:.1f} s wall, {cpu:.1f} s CPU in OCR processes "
            f"({cpu / wall:.2f} cores busy on average)"
        )


def _peak_rss_mb() -> float:
    """This process's peak RSS. Linux keeps ``ru_maxrss`` across exec, so a spawned child would report its parent's
    peak; ``VmHWM`` belongs to the new address space and starts afresh."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_mb(root: int) -> float:
    """Current memory of ``root`` and all its descendants (sum of PSS) from /proc; 0 where /proc is missing."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    # Proportional set size: pages a forked worker still shares with its parent count once, not once per process.
    total_kb = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def _rss_child(path: str, queue: multiprocessing.Queue[tuple[float, float, float, int]]) -> None:
    peak_tree = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.2):
            peak_tree = max(peak_tree, _tree_rss_mb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    document = load(Path(path).read_bytes(), "scan.tif", Settings(ocr_workers=2))
    done.set()
    sampler.join()
    own = _peak_rss_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    queue.put((own, children, peak_tree, len(document.pages)))


def bench_memory(pages: int, workdir: Path) -> None:
    """Peak RSS of a process ingesting a ``pages``-page 300 dpi scan, and of its largest OCR worker or Tesseract."""
    path = workdir / "scan.tif"
    path.write_bytes(_tiff(pages, 300))
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited inflates the figure
    queue: multiprocessing.Queue[tuple[float, float, float, int]] = context.Queue()
    child = context.Process(target=_rss_child, args=(str(path), queue))
    started = time.perf_counter()
    child.start()
    own, children, tree, read = queue.get()
    child.join()
    print(
        f"{pages}-page scan ({path.stat().st_size / 1e6:.1f} MB TIFF, {read} pages read in "
        f"{time.perf_counter() - started:.0f} s): peak RSS {own:.0f} MB in the ingesting process, "
        f"{children:.0f} MB in its largest child (OCR worker or tesseract), {tree:.0f} MB PSS for the whole "
        "process tree (sampled every 0.2 s)"
    )


def main(scan_pages: int = 50) -> None:
    """Run every ingest benchmark and print its figures."""
    settings = Settings()
    Image.init()
    with tempfile.TemporaryDirectory(prefix="navis-bench-") as tmp:
        workdir = Path(tmp)
        bench_text_pdf(settings)
        bench_ocr_overhead(settings, workdir)
        bench_parallel(settings)
        bench_memory(scan_pages, workdir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scan-pages", type=int, default=50)
    main(parser.parse_args().scan_pages)
