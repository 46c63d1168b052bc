"""Where the shared development corpus lives: ``../shared/corpus`` beside the repository (absent on some machines)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TCGA_DEV = CORPUS / "tcga" / "dev.jsonl"
FHIR_CORPUS = CORPUS / "fhir"
