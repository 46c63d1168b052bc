"""Canonical URLs of the extensions and naming systems Navis defines (kept light: no FHIR model imports)."""

from __future__ import annotations

NAVIS_BASE = "http://navis.example/fhir"
EVIDENCE_URL = f"{NAVIS_BASE}/StructureDefinition/evidence"
EXTRACTION_URL = f"{NAVIS_BASE}/StructureDefinition/extraction"
NOT_RECORDED_URL = f"{NAVIS_BASE}/StructureDefinition/not-recorded"  # pending / unreadable items on the report
SHA256_SYSTEM = f"{NAVIS_BASE}/NamingSystem/sha256"
