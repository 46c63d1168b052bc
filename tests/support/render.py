"""Render report text to page images, optionally degraded like a scan or a phone photo.

Used by the OCR integration tests and, later, by the test that compares OCR F1 with text F1 on the TCGA reports.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

PAGE_WIDTH_IN = 8.5
PAGE_HEIGHT_IN = 11.0
MARGIN_IN = 0.8
FONT_PT = 11.0
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=8)
def font(size_px: int) -> Font:
    """DejaVu Sans when installed (fonts-dejavu-core), else Pillow's bundled scalable default font."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size_px)
    return ImageFont.load_default(size=size_px)


def render_pages(
    text: str,
    dpi: int = 300,
    skew_deg: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    *,
    shade: float = 0.0,
    seed: int = 0,
) -> list[Image.Image]:
    """Letter-size grayscale pages of ``text`` at ``dpi``, wrapped to the margins.

    ``skew_deg`` rotates each page (counter-clockwise), ``noise`` adds Gaussian noise with that standard deviation
    as a fraction of full scale, ``shade`` darkens the page towards its right edge by up to that fraction (uneven
    light), and ``jpeg_quality`` round-trips each page through JPEG. The same arguments give the same pixels.
    """
    size = round(FONT_PT / 72 * dpi)
    face = font(size)
    line_height = round(size * 1.4)
    width, height = round(PAGE_WIDTH_IN * dpi), round(PAGE_HEIGHT_IN * dpi)
    margin = round(MARGIN_IN * dpi)
    lines = _wrap(text, face, width - 2 * margin)
    per_page = max((height - 2 * margin) // line_height, 1)
    rng = np.random.default_rng(seed)
    pages = []
    for first in range(0, max(len(lines), 1), per_page):
        page = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(lines[first : first + per_page]):
            draw.text((margin, margin + row * line_height), line, fill=0, font=face)
        pages.append(_degrade(page, skew_deg=skew_deg, noise=noise, shade=shade, jpeg_quality=jpeg_quality, rng=rng))
    return pages


def _wrap(text: str, face: Font, max_width: int) -> list[str]:
    """Greedy word wrap by rendered width; blank lines kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and face.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _degrade(
    page: Image.Image,
    *,
    skew_deg: float,
    noise: float,
    shade: float,
    jpeg_quality: int | None,
    rng: np.random.Generator,
) -> Image.Image:
    if skew_deg:
        page = page.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if shade or noise:
        pixels = np.asarray(page, dtype=np.float32)
        if shade:
            ramp = np.linspace(1.0, 1.0 - shade, pixels.shape[1], dtype=np.float32)
            pixels = pixels * ramp[np.newaxis, :]
        if noise:
            pixels = pixels + rng.normal(0.0, noise * 255.0, pixels.shape).astype(np.float32)
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if jpeg_quality is not None:
        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=jpeg_quality)
        page = Image.open(io.BytesIO(buffer.getvalue()))
        page.load()
    return page
