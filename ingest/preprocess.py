"""Clean a page image before OCR: grayscale, even out the light, remove table rulings, straighten.

Every step is cheap next to Tesseract's ~1.5-2 s a page, because OCR may add at most 10% to Tesseract's own time:
estimates run on a small thumbnail, and the full-size work (division, line removal, rotation) only happens when the
estimate says it pays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter, ImageOps

# Thumbnail width for estimates: enough to see text lines (about 15 px tall at 300 dpi) and their slope.
_THUMB_WIDTH = 700
_MAX_SKEW_POINTS = 30_000
# Background levels spread wider than this (0-255) means uneven light worth dividing out.
_UNEVEN_LIGHT_SPREAD = 30
# Skew below this is left alone: rotating costs time and blurs glyphs for no gain in recognition.
MIN_SKEW_DEG = 0.5
_MAX_SKEW_DEG = 15.0
# A ruling is a dark run at least this fraction of the page width (or height). Horizontal rules must be longer than
# a long word; vertical ones only longer than a text line, since leading breaks text strokes every line.
_RULE_FRACTION_WIDE = 0.20
_RULE_FRACTION_TALL = 0.05
# A cell counts as ruling ink when its mean is this close to the ink level (0) rather than the paper level (1):
# strict enough that letters with their gaps and counters never qualify.
_RULE_INK_SHARE = 0.35
# Horizontal or vertical pixels averaged per cell when looking for rulings at full size.
_RULE_CELL = 8

Pixels = npt.NDArray[Any]  # shapes and dtypes vary by step


def prepare_page(image: Image.Image) -> Image.Image:
    """A grayscale, evenly lit, ruling-free, straightened copy of ``image`` ready for OCR."""
    gray = _even_light(to_gray(image))
    thumb = np.asarray(_thumbnail(gray))
    threshold = _otsu(thumb)
    skew = _estimate_skew(thumb, threshold)
    gray = _remove_rulings(gray, threshold)
    if abs(skew) > MIN_SKEW_DEG:
        gray = gray.rotate(-skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return gray


def to_gray(image: Image.Image) -> Image.Image:
    """Upright 8-bit grayscale: EXIF rotation applied, transparency on white, 16-bit and float scaled to 0-255."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        pixels = np.asarray(image, dtype=np.float32)
        top = float(pixels.max()) or 1.0
        return Image.fromarray((pixels * (255.0 / top)).astype(np.uint8), mode="L")
    if "A" in image.getbands() or (image.mode == "P" and "transparency" in image.info):
        # A transparent background converts to black: paint it white, as on paper.
        page = Image.new("RGBA", image.size, (255, 255, 255, 255))
        page.alpha_composite(image.convert("RGBA"))
        return page.convert("L")
    return image.convert("L")


def estimate_skew(gray: Image.Image) -> float:
    """Counter-clockwise skew of the text lines of ``gray`` in degrees, found by projection-profile search."""
    thumb = np.asarray(_thumbnail(gray))
    return _estimate_skew(thumb, _otsu(thumb))


def _estimate_skew(thumb: Pixels, threshold: int) -> float:
    ys, xs = np.nonzero(thumb < threshold)
    if len(ys) < 50:
        return 0.0
    # A regular sample of dark pixels profiles as well as all of them, at a fraction of the cost.
    step = max(len(ys) // _MAX_SKEW_POINTS, 1)
    ys_f, xs_f = ys[::step].astype(np.float64), xs[::step].astype(np.float64)
    # Coarse to fine: whole degrees, then tenths around the best. A level line collapses the profile to peaks.
    best = _best_angle(ys_f, xs_f, np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 0.5, 1.0))
    return _best_angle(ys_f, xs_f, np.arange(best - 1.0, best + 1.05, 0.1))


def _best_angle(ys: Pixels, xs: Pixels, angles: Pixels) -> float:
    scores = []
    for angle in angles:
        rows = np.rint(ys + xs * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        scores.append(float(np.dot(counts, counts)))
    return float(angles[int(np.argmax(scores))])


def _thumbnail(gray: Image.Image) -> Image.Image:
    factor = max(gray.width // _THUMB_WIDTH, 1)
    return gray.reduce(factor) if factor > 1 else gray


def _otsu(pixels: Pixels) -> int:
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * levels)
    total_w, total_m = weight[-1], mean[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_m * weight - mean * total_w) ** 2 / (weight * (total_w - weight))
    return int(np.nanargmax(between)) + 1  # levels up to Otsu's split are dark: callers test `< threshold`


def _even_light(gray: Image.Image) -> Image.Image:
    """Divide out a slowly varying background (phone photos, shadows); leave evenly lit scans untouched."""
    small = gray.reduce(16) if min(gray.size) >= 16 * 8 else gray
    background = small.filter(ImageFilter.MaxFilter(5))  # text is dark and thin: a max filter leaves the paper
    levels = np.asarray(background)
    low, high = np.percentile(levels, [2, 98])
    if high - low <= _UNEVEN_LIGHT_SPREAD:
        return gray
    full = np.asarray(background.resize(gray.size, Image.Resampling.BILINEAR), dtype=np.uint16)
    pixels = np.asarray(gray, dtype=np.uint16)
    evened = np.minimum(pixels * 255 // np.maximum(full, 1), 255).astype(np.uint8)
    return ImageOps.autocontrast(Image.fromarray(evened, mode="L"), cutoff=0.5)


def _remove_rulings(gray: Image.Image, threshold: int) -> Image.Image:
    """Whiten long horizontal and vertical rules: Tesseract's layout analysis drops text inside ruled tables."""
    # Pillow's own histogram: numpy's bincount widens every pixel to 64 bits first (50 ms on a 300 dpi page).
    histogram = np.array(gray.histogram(), dtype=np.int64)
    dark, light = histogram[:threshold], histogram[threshold:]
    if dark.sum() == 0 or light.sum() == 0:
        return gray
    # Ink and paper levels from each side of the Otsu split, so a page with little text still has a true ink level.
    ink = int(np.searchsorted(np.cumsum(dark), dark.sum() * 0.1))
    paper = threshold + int(np.searchsorted(np.cumsum(light), light.sum() * 0.5))
    rule_level = ink + int(_RULE_INK_SHARE * (paper - ink)) + 1
    rows = _rule_mask(gray, rule_level, horizontal=True)
    cols = _rule_mask(gray, rule_level, horizontal=False)
    if rows is None and cols is None:
        return gray
    pixels = np.array(gray)
    for mask in (rows, cols):
        if mask is not None:
            pixels[mask & (pixels < threshold + (255 - threshold) // 2)] = 255
    return Image.fromarray(pixels, mode="L")


def _rule_mask(gray: Image.Image, threshold: int, *, horizontal: bool) -> Pixels | None:
    """Full-size mask of pixels on long dark runs along one axis, or None when the page has none."""
    width, height = gray.size
    length = width if horizontal else height
    # Average cells of _RULE_CELL pixels along the axis: a cell is dark only where a stroke fills it end to end.
    size = (max(width // _RULE_CELL, 1), height) if horizontal else (width, max(height // _RULE_CELL, 1))
    cells = np.asarray(gray.resize(size, Image.Resampling.BOX)) < threshold
    if not horizontal:
        cells = cells.T
    run = max(int(length * (_RULE_FRACTION_WIDE if horizontal else _RULE_FRACTION_TALL)) // _RULE_CELL, 2)
    # Only rows holding enough dark cells in total can hold a long run; test just those.
    candidates = np.nonzero(cells.sum(axis=1) >= run)[0]
    if len(candidates) == 0:
        return None
    covered = np.zeros_like(cells)
    covered[candidates] = _covered_by_runs(cells[candidates], run)
    if not covered.any():
        return None
    # Spread the mark one pixel across the rule so its anti-aliased edges go too.
    covered = covered | np.roll(covered, 1, axis=0) | np.roll(covered, -1, axis=0)
    full = np.repeat(covered, _RULE_CELL, axis=1)
    full = np.pad(full, ((0, 0), (0, max(length - full.shape[1], 0))))[:, :length]
    return full if horizontal else full.T


def _covered_by_runs(dark: Pixels, run: int) -> Pixels:
    """Cells that lie in a run of at least ``run`` dark cells along axis 1 (two cumulative sums, no loops)."""
    n = dark.shape[1]
    if n < run:
        return np.zeros_like(dark, dtype=bool)
    sums = np.pad(np.cumsum(dark, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    full = ((sums[:, run:] - sums[:, :-run]) == run).astype(np.int32)
    starts = np.pad(np.cumsum(full, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
    position = np.arange(n)
    high = np.minimum(position, n - run) + 1
    low = np.maximum(position - run + 1, 0)
    return (starts[:, high] - starts[:, low]) > 0
