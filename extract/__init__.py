"""Text in, findings with evidence out, then mCODE Observations (``extract.fhir``)."""
