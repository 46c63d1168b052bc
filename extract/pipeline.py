"""Entry point of ``extract``: a Document to an Extraction.

Interim version: runs the registered extractors and keeps every candidate as a present finding. The engine
(sections, assertion, specimens, merging) replaces the body of :func:`extract` without changing its signature.
"""

from __future__ import annotations

import hashlib

from extract.extractors import EXTRACTORS
from extract.finding import Evidence, Extraction, Finding
from ingest.document import Document, Page


def extract(document: Document) -> Extraction:
    """Findings, pending results and unreadable values in ``document``."""
    text = document.text
    findings: list[Finding] = []
    for _name, find in EXTRACTORS:
        for c in find(text):
            evidence = Evidence(quote=text[c.start : c.end], start=c.start, end=c.end, page=document.page_at(c.start))
            findings.append(
                Finding(
                    field=c.field,
                    value=c.value,
                    evidence=(evidence,),
                    assertion=c.assertion or "present",
                    confidence=c.confidence,
                    rule_id=c.rule_id,
                    method=c.method,
                    details=dict(c.details),
                )
            )
    return Extraction(findings=tuple(findings))


def extract_text(text: str) -> Extraction:
    """Same as :func:`extract` for bare text (one page, no OCR map)."""
    return extract(text_document(text))


def text_document(text: str) -> Document:
    """A one-page plain-text Document around ``text``."""
    data = text.encode("utf-8")
    page = Page(number=1, start=0, end=len(text), source="plain")
    return Document(
        text=text, pages=(page,), media_type="text/plain", sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
