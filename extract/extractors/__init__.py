"""The registry of field extractors the engine runs, in order. Each module exposes ``find(text)``."""

from __future__ import annotations

from extract.candidate import Extractor
from extract.extractors import genomics, grade, her2, histology, ki67, misc, receptors, stage, tnm

EXTRACTORS: tuple[tuple[str, Extractor], ...] = (
    ("receptors", receptors.find),
    ("her2", her2.find),
    ("ki67", ki67.find),
    ("tnm", tnm.find),
    ("stage", stage.find),
    ("grade", grade.find),
    ("histology", histology.find),
    ("genomics", genomics.find),
    ("misc", misc.find),
)
