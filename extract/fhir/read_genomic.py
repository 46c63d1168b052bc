"""Reading genomic Observations (GenomicVariant ``69548-6``) into BRCA1/2, PIK3CA, ESR1, AKT1, PTEN findings.

Accepts the gene as an HGNC code with or without the ``HGNC:`` prefix (or its symbol as text), the significance on
the variant itself or on a separate implication Observation that ``derivedFrom`` it, and pertinent negatives (value
Absent) listing several genes.
"""

from __future__ import annotations

from typing import Any

from extract.fhir import values
from extract.fhir.codes import CodeMap

JSON = dict[str, Any]
Read = tuple[str, str, float, dict[str, str]]  # field, value, confidence, details

CODED_CONFIDENCE = 0.95
TEXT_CONFIDENCE = 0.85


def variant_reads(codes: CodeMap, observation: JSON, implications: dict[str, str]) -> list[Read]:
    """One finding per gene of interest on a GenomicVariant (a pertinent negative may list several genes)."""
    concept = observation.get("valueCodeableConcept")
    presence = values.coded(codes, "variant_presence", concept) or _presence_from_text(values.texts(concept))
    if presence is None:
        return []
    parts = _components(codes, observation)
    significance = parts.get("significance") or implications.get(_own_reference(observation), "")
    details = {k: v for k, v in parts.items() if k in ("source_class", "dna_change", "protein_change") and v}
    if significance:
        details["significance"] = significance
    confidence = CODED_CONFIDENCE if values.coded(codes, "variant_presence", concept) else TEXT_CONFIDENCE
    findings: list[Read] = []
    for gene_id in parts.get("genes", "").split():
        gene = codes.genes[gene_id]
        details_here = details | {"gene": gene.symbol}
        if gene.field == "brca":
            outcome = "negative" if presence == "not-detected" else significance or "detected"
            value = f"{gene.symbol} {outcome}"
        else:
            value = presence
        findings.append((gene.field, value, confidence, details_here))
    return findings


def _presence_from_text(strings: list[str]) -> str | None:
    lowered = " ".join(strings).lower()
    if any(word in lowered for word in ("absent", "not detected", "negative", "not found")):
        return "not-detected"
    if any(word in lowered for word in ("present", "detected", "positive")):
        return "detected"
    return None


def _components(codes: CodeMap, observation: JSON) -> dict[str, str]:
    """Gene ids (space separated), source class, significance and HGVS from a genomic Observation's components."""
    parts: dict[str, str] = {"genes": ""}
    for component in observation.get("component") or []:
        for coding in (component.get("code") or {}).get("coding") or []:
            role = codes.component_role(codes.key(coding.get("system"), coding.get("code")))
            concept = component.get("valueCodeableConcept")
            if role == "gene_studied":
                parts["genes"] += " " + " ".join(_gene_ids(codes, concept))
            elif role in ("source_class", "significance"):
                parts[role] = values.coded(codes, role, concept) or ""
            elif role in ("dna_change", "protein_change"):
                parts[role] = next(iter(values.texts(concept)), "")
    parts["genes"] = " ".join(dict.fromkeys(parts["genes"].split()))
    return parts


def _gene_ids(codes: CodeMap, concept: JSON | None) -> list[str]:
    """HGNC ids (without ``HGNC:``) of genes we report on, by code or, failing that, by symbol."""
    by_symbol = {gene.symbol: gene_id for gene_id, gene in codes.genes.items()}
    found = []
    for coding in (concept or {}).get("coding") or []:
        code = str(coding.get("code", "")).removeprefix("HGNC:")
        if codes.alias_of(coding.get("system")) == "hgnc" and code in codes.genes:
            found.append(code)
    for text in values.texts(concept):
        if text.strip().upper() in by_symbol:
            found.append(by_symbol[text.strip().upper()])
    return found


def _own_reference(observation: JSON) -> str:
    return f"Observation/{observation.get('id', '')}"


def significance_by_variant(codes: CodeMap, observations: list[JSON]) -> dict[str, str]:
    """Significance stated on separate implication Observations, keyed by the variant they derive from."""
    found: dict[str, str] = {}
    for observation in observations:
        significance = _components(codes, observation).get("significance")
        if not significance:
            continue
        for reference in observation.get("derivedFrom") or []:
            target = str(reference.get("reference", ""))
            found[target] = significance
            found[f"Observation/{target.rsplit('/', 1)[-1]}"] = significance  # absolute or relative reference
    return found
