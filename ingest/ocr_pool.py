"""OCR many pages in parallel processes, one page in memory per process.

Tesseract runs one OpenMP thread per process (two pages at once with default threading took 7.2 s here, with one
thread each 1.6 s), so pages are spread over a process pool. Workers get a small job (a file path and a page index)
and render or decode that one page themselves: the parent never holds more than the results, so a 50-page scan
stays small, and rendering runs in parallel too. Word boxes are in pixels of the cleaned page image (after EXIF
rotation and deskew), which is also the size the page reports.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from ingest.locks import PDFIUM_LOCK
from ingest.ocr import OcrEngine
from ingest.pages import PageContent
from ingest.preprocess import prepare_page
from navis.errors import CorruptInputError, NavisError, ProcessingError

# Slack on top of the per-page Tesseract timeout for rendering, cleaning and process start-up.
_OVERHEAD_S = 30.0


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to OCR: a page of a PDF or a frame of an image file, both on disk."""

    path: str
    kind: Literal["pdf", "image"]
    index: int  # 0-based page or frame
    dpi: int = 300
    max_pixels: int = 90_000_000


def worker_count(setting: int, pages: int) -> int:
    """Processes to start: the setting (0 means one per usable core), never more than there are pages."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(setting or cores, pages))


def ocr_pages(jobs: Sequence[PageJob], engine: OcrEngine, *, workers: int, timeout_s: float) -> list[PageContent]:
    """OCR every job in parallel and return the pages in job order.

    Raises :class:`ProcessingError` when a worker dies or the whole batch overruns its time, and passes on the
    :mod:`navis.errors` exception a worker raised (a corrupt page, a Tesseract failure or timeout).
    """
    if not jobs:
        return []
    count = worker_count(workers, len(jobs))
    executor = _executor(count)
    finished = False
    try:
        with PDFIUM_LOCK:  # the pool forks on the first submit
            futures = [executor.submit(_run_job, job, engine) for job in jobs]
        deadline = timeout_s * math.ceil(len(jobs) / count) + _OVERHEAD_S
        done, pending = wait(futures, timeout=deadline, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                _result(future)  # raises the worker's error, translated
        if pending:
            raise ProcessingError(f"OCR of {len(jobs)} pages did not finish within {deadline:g} s")
        results = [_result(future) for future in futures]
        finished = True
        return results
    finally:
        # After success, reap the idle workers; after a failure, do not wait for pages nobody needs.
        executor.shutdown(wait=finished, cancel_futures=not finished)


def _executor(count: int) -> Executor:
    """A pool of processes; of threads inside a daemonic process (a Celery prefork worker), which may not fork
    pool children. Either way each page's Tesseract is its own process, so pages still run in parallel."""
    if multiprocessing.current_process().daemon:
        _init_worker()  # this process is a worker already: its Tesseracts get one thread each
        return ThreadPoolExecutor(max_workers=count, thread_name_prefix="navis-ocr")
    # fork: workers start in milliseconds with everything already imported; spawn would cost ~0.5 s per document.
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    return ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker)


def _result(future: Future[PageContent]) -> PageContent:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise ProcessingError("an OCR worker process died") from exc
    except NavisError:
        raise
    except Exception as exc:  # a bug or library fault in a worker: report it without the page's content
        raise ProcessingError(f"OCR failed ({type(exc).__name__})") from exc


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _run_job(job: PageJob, engine: OcrEngine) -> PageContent:
    """Worker side: load one page image, clean it, OCR it."""
    image = load_page_image(job)
    try:
        return engine.read(prepare_page(image))
    finally:
        image.close()


def load_page_image(job: PageJob) -> Image.Image:
    """The page image of ``job``: a PDF page rendered at ``job.dpi``, or one frame of an image file."""
    if job.kind == "pdf":
        return _render_pdf_page(job)
    Image.MAX_IMAGE_PIXELS = job.max_pixels  # this process is an OCR worker: its own Pillow guard
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(job.path)
            image.seek(job.index)
            image.load()
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise CorruptInputError(f"image page {job.index + 1} could not be decoded ({type(exc).__name__})") from exc
    return image


def _render_pdf_page(job: PageJob) -> Image.Image:
    import pypdfium2 as pdfium  # workers only; keeps `import ingest` light

    try:
        document = pdfium.PdfDocument(job.path)
        try:
            page = document[job.index]
            bitmap = page.render(scale=job.dpi / 72, grayscale=True)
            image: Image.Image = bitmap.to_pil().copy()  # own the pixels: the bitmap's buffer goes with the document
            return image
        finally:
            document.close()
    except pdfium.PdfiumError as exc:
        raise CorruptInputError(f"PDF page {job.index + 1} could not be rendered") from exc
