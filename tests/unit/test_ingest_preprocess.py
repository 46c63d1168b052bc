"""Page cleaning before OCR: skew estimate, straightening, ruling removal, even light, odd image modes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ingest.preprocess import MIN_SKEW_DEG, estimate_skew, prepare_page, to_gray
from tests.support.render import render_pages

REPORT = "\n".join(
    [
        "SURGICAL PATHOLOGY REPORT",
        "Diagnosis: invasive ductal carcinoma, Nottingham grade 2, left breast.",
        "Estrogen receptor: positive, 95% of tumor cells, strong intensity.",
        "Progesterone receptor: negative (0%). HER2 by IHC: 2+ (equivocal).",
        "HER2 FISH: not amplified, HER2/CEP17 ratio 1.3, average HER2 copy number 3.1.",
    ]
    * 4
)


@pytest.mark.parametrize("skew", [-8.0, -2.5, 0.0, 1.5, 4.0, 12.0])
def test_estimates_skew_of_a_rendered_page(skew: float) -> None:
    (page,) = render_pages(REPORT, dpi=150, skew_deg=skew)
    assert estimate_skew(page) == pytest.approx(skew, abs=0.3)


def test_prepare_straightens_a_skewed_noisy_page() -> None:
    (page,) = render_pages(REPORT, dpi=150, skew_deg=5.0, noise=0.05, shade=0.4, jpeg_quality=60)
    assert abs(estimate_skew(prepare_page(page))) <= MIN_SKEW_DEG


def test_small_skew_is_left_alone() -> None:
    (page,) = render_pages(REPORT, dpi=150, skew_deg=0.2)
    assert prepare_page(page).size == page.size


def test_uneven_light_is_evened() -> None:
    (page,) = render_pages(REPORT, dpi=150, shade=0.6)
    before = np.asarray(page)[:, -40:].mean()  # paper on the shaded right edge
    after = np.asarray(prepare_page(page))[:, -40:].mean()
    assert before < 140
    assert after > 235


def test_rulings_are_removed_and_text_kept() -> None:
    page = Image.new("L", (1200, 600), 255)
    draw = ImageDraw.Draw(page)
    for y in (100, 200, 300):
        draw.line((50, y, 1150, y), fill=0, width=3)
    for x in (50, 600, 1150):
        draw.line((x, 100, x, 300), fill=0, width=3)
    draw.rectangle((100, 140, 160, 160), fill=0)  # a glyph-sized mark inside a cell
    cleaned = np.asarray(prepare_page(page)) < 128
    assert not cleaned[100, 300:900].any()  # the horizontal rule is gone
    assert not cleaned[150:250, 600].any()  # and the vertical one
    assert cleaned[140:160, 100:160].mean() > 0.9  # the mark stays


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (20, 20), (0, 0, 0, 0)),  # transparent: paper, not black
        Image.new("I;16", (20, 20), 65535),
        Image.new("RGB", (20, 20), (255, 255, 255)),
        Image.new("1", (20, 20), 1),
    ],
)
def test_any_mode_becomes_white_paper_in_8_bit_gray(image: Image.Image) -> None:
    gray = to_gray(image)
    assert gray.mode == "L"
    assert np.asarray(gray).min() == 255


def test_exif_orientation_is_applied() -> None:
    upright = Image.new("L", (300, 100), 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: viewers turn it 90 degrees clockwise
    stored = upright.rotate(90, expand=True)
    stored.info["exif"] = exif.tobytes()
    stored.getexif()[0x0112] = 6
    assert to_gray(stored).size == (300, 100)


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_text_is_never_mistaken_for_rulings(dpi: int) -> None:
    (page,) = render_pages("DEPARTMENT OF PATHOLOGY MMMMMMMMMMMM WWWWWWWW\n" + REPORT, dpi=dpi)
    before = (np.asarray(page) < 128).sum()
    after = (np.asarray(prepare_page(page)) < 128).sum()
    assert after == before
