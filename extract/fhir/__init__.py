"""Findings to FHIR R4 (mCODE STU4) and coded FHIR Observations back to findings."""
