"""Scans and photos (PNG, JPEG, TIFF incl. multi-page, WebP, BMP): check them cheaply, then OCR every frame.

Only headers are read here: a decompression bomb (a small file claiming a huge picture) is refused before any pixel
is decoded, and frames are decoded one at a time inside the OCR workers.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image

from ingest.ocr import TesseractOcr
from ingest.ocr_pool import PageJob, ocr_pages
from ingest.pages import PageContent
from navis.errors import CorruptInputError, TooLargeError
from navis.settings import Settings


def count_frames(data: bytes, *, max_pixels: int, max_pages: int) -> int:
    """Frames in the image, after checking each frame's header against the pixel and page limits."""
    try:
        with warnings.catch_warnings():
            # We apply our own limit below; Pillow's warning for big images would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = getattr(image, "n_frames", 1)
                if frames > max_pages:
                    raise TooLargeError(f"image has {frames} pages, over the limit of {max_pages}")
                for index in range(frames):
                    image.seek(index)
                    _check_pixels(image.size, index, max_pixels)
                return frames
    except Image.DecompressionBombError as exc:
        raise TooLargeError(f"image is over the limit of {max_pixels} pixels a page") from exc
    except (OSError, ValueError, EOFError, SyntaxError) as exc:
        # Pillow reports unreadable or truncated headers as OSError/SyntaxError ("not a TIFF file", etc.).
        raise CorruptInputError(f"image could not be read ({type(exc).__name__})") from exc


def read_image(data: bytes, workdir: Path, settings: Settings) -> list[PageContent]:
    """OCR every frame of an image file; ``workdir`` is a private temporary folder the workers read from."""
    frames = count_frames(data, max_pixels=settings.max_image_pixels, max_pages=settings.max_pages)
    path = workdir / "input-image"
    path.write_bytes(data)
    jobs = [PageJob(str(path), "image", index, max_pixels=settings.max_image_pixels) for index in range(frames)]
    engine = TesseractOcr(language=settings.ocr_language, timeout_s=settings.ocr_timeout_s)
    return ocr_pages(jobs, engine, workers=settings.ocr_workers, timeout_s=settings.ocr_timeout_s)


def _check_pixels(size: tuple[int, int], index: int, max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptInputError(f"image page {index + 1} has no pixels")
    if width * height > max_pixels:
        raise TooLargeError(f"image page {index + 1} is {width}x{height} pixels, over the limit of {max_pixels}")
