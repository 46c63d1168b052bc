"""Personalized guidance: a patient's findings and FHIR context -> profile -> tailored, cited answer.

    from personalize.build import build_profile          # findings (+ FHIR resources, + patient context) -> Profile
    from personalize.answer import build_answer          # Profile -> Answer (sections of cited statements)
    from personalize.render import render                # Answer -> "json" | "md" | "html"
    from personalize.patient_context import load_context # the patient's own YAML/JSON context file

The knowledge base lives in ``personalize/kb/*.yaml`` (loaded and validated by ``personalize.kb_load.load_kb``).
Nothing is loaded at import time.
"""
