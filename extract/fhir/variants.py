"""BRCA1/2, PIK3CA, ESR1, AKT1, PTEN findings as the value and components of an mCODE GenomicVariant.

A result of "not detected" / "negative" is written as a pertinent negative (value Absent ``LA9634-2`` with the gene
studied), as the mCODE examples do. The clinical significance is put on the variant itself (component ``53037-8``),
which fhir-mapping.md notes many senders do and our reader accepts, rather than a separate diagnostic-implication.
"""

from __future__ import annotations

from typing import Any

from extract.fhir import datatypes as dt
from extract.fhir.datatypes import CodeableConcept
from extract.fhir.emit import Code, EmitMap
from extract.finding import Finding

LOINC = "http://loinc.org"
HGVS = "http://varnomen.hgvs.org"
GENE_STUDIED = Code(system=LOINC, code="48018-6", display="Gene studied [ID]")
SOURCE_CLASS = Code(system=LOINC, code="48002-0", display="Genomic source class [Type]")
SIGNIFICANCE = Code(system=LOINC, code="53037-8", display="Genetic variation clinical significance [Imp]")
DNA_CHANGE = Code(system=LOINC, code="48004-6", display="DNA change (c.HGVS)")
PROTEIN_CHANGE = Code(system=LOINC, code="48005-3", display="Amino acid change (pHGVS)")
_NEGATIVE = frozenset({"negative", "not-detected", "absent", "not detected"})


def gene_and_outcome(finding: Finding) -> tuple[str, str]:
    """``("BRCA1", "pathogenic")`` from ``BRCA1 pathogenic``; for PIK3CA and the like the gene is the field."""
    if finding.field != "brca":
        return finding.field.upper(), finding.value
    gene, _, outcome = finding.value.partition(" ")
    return finding.details.get("gene", gene).upper(), outcome.strip() or "detected"


def variant_parts(finding: Finding, emit: EmitMap) -> tuple[CodeableConcept, list[dict[str, Any]]]:
    """valueCodeableConcept and components of the GenomicVariant for ``finding``."""
    gene, outcome = gene_and_outcome(finding)
    absent = outcome.lower() in _NEGATIVE
    presence = emit.variant_presence["not-detected" if absent else "detected"]
    components = [_component(GENE_STUDIED, dt.concept(emit.genes.get(gene), text=gene))]
    origin = finding.details.get("source_class") or finding.details.get("origin")
    if origin in emit.source_class:
        components.append(_component(SOURCE_CLASS, dt.concept(emit.source_class[origin])))
    significance = outcome if outcome in emit.significance else finding.details.get("significance", "")
    if not absent and significance in emit.significance:
        components.append(_component(SIGNIFICANCE, dt.concept(emit.significance[significance])))
    for key, code in _hgvs_slots(finding):
        written = " ".join(finding.details.get(key, "").split())  # a FHIR code has single spaces at most
        if written and code.code not in (c["code"]["coding"][0]["code"] for c in components):
            hgvs = Code(system=HGVS, code=written)
            components.append(_component(code, dt.concept(hgvs, text=finding.details[key])))
    text = f"{gene} {'not detected' if absent else outcome}"
    return dt.concept(presence, text=text), components


def _hgvs_slots(finding: Finding) -> list[tuple[str, Code]]:
    """Detail keys holding HGVS, with the component each goes to: ``p.`` changes are protein, the rest DNA."""
    slots = [("dna_change", DNA_CHANGE), ("protein_change", PROTEIN_CHANGE)]
    for key in ("hgvs", "variant"):  # extractors write either; pik3ca & co give the protein change (H1047R)
        written = finding.details.get(key, "")
        slots.append((key, DNA_CHANGE if written.startswith(("c.", "g.", "NM_", "NC_")) else PROTEIN_CHANGE))
    return slots


def _component(code: Code, value: CodeableConcept) -> dict[str, Any]:
    return {"code": dt.concept(code), "valueCodeableConcept": value}
