"""Genomic and assay results: ``brca``, ``pdl1``, ``pik3ca``, ``esr1``, ``akt1``, ``pten``, ``oncotype_rs``.

BRCA: each gene named gets the result stated nearest to it in the same statement (``Pathogenic variant identified
in BRCA2, c.5946delT`` -> ``BRCA2 pathogenic``; ``No clinically significant variants ... including BRCA1, BRCA2``
-> ``BRCA1 negative`` and ``BRCA2 negative``); a gene named with no result (``referral for BRCA1 testing``) gives
nothing. Origin (germline/somatic) and the HGVS variant go to details. Whose result it is (a relative's, in family
history) is for the engine's ConText to judge. PIK3CA/ESR1/AKT1/PTEN: ``detected`` or ``not-detected`` with the
variant in details. PD-L1: ``CPS 15``, ``IC 1%``, ``TPS <1%`` with the assay (22C3, SP142 ...) as method.

A result phrase is read whole, so that its words cannot count again on their own: in ``ESR1 mutation not
detected`` the word ``mutation`` is part of the absence, not a detected mutation; inside a test's name (``test
for ESR1 mutation ordered``, ``ESR1 mutation analysis:``) no word is a result. The evidence span runs from the
gene to its result (and variant), not over the whole statement, so that ConText reads the words around the
result: a candidate span that starts on a modifier ("Mother had a BRCA1 mutation") is never modified by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    pattern: Regex


class GenomicsRules(RuleFile):
    """Shape of ``extract/rules/genomics.yaml``."""

    gates: dict[str, list[str]]
    brca_gene: Regex
    brca_results: list[_Result]
    test_names: Regex
    reach: int
    statement_end: Regex
    origin: dict[str, Regex]
    hgvs: Regex
    pdl1: Regex
    pdl1_assay: Regex
    pdl1_kinds: dict[str, str]
    genes: dict[str, Regex]
    gene_not_detected: Regex
    gene_detected: Regex
    gene_variant: Regex
    oncotype: Regex


@cache
def rules() -> GenomicsRules:
    """The genomics rule file, loaded and validated on first use."""
    return load_rules("genomics", GenomicsRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for brca, pdl1, pik3ca, esr1, akt1, pten and oncotype_rs in ``text``."""
    table = rules()
    lower = text.lower()
    gated = {rule for rule, words in table.gates.items() if any(word in lower for word in words)}
    if "brca" in gated:
        yield from _brca(text, table)
    if "pdl1" in gated:
        yield from _pdl1(text, table)
    for field, pattern in table.genes.items():
        if field in gated:
            yield from _gene(text, field, pattern, table)
    if "oncotype" not in gated:
        return
    for match in table.oncotype.finditer(text):
        score = match.group("rs") or match.group("rs2")
        if int(score) <= 100:
            yield Candidate("oncotype_rs", str(int(score)), match.start(), match.end(), "genomics.oncotype")


def _statement(text: str, start: int, end: int, table: GenomicsRules, stop: re.Pattern[str] | None) -> tuple[int, int]:
    """The bounds of the statement around ``start:end``, at most ``reach`` characters each side."""
    begin = max(0, start - table.reach)
    ends_before = list(table.statement_end.finditer(text, begin, start + 1))  # +1: the lookahead sees the gene
    if ends_before:
        begin = ends_before[-1].end()
    finish = min(len(text), end + table.reach)
    for pattern in (table.statement_end, stop):
        after = pattern.search(text, end, finish) if pattern is not None else None
        if after:
            finish = after.start()
    return begin, finish


def _nearest(
    text: str, span: tuple[int, int], bounds: tuple[int, int], results: list[tuple[str, Regex]], table: GenomicsRules
) -> tuple[str, int, int] | None:
    """The value whose pattern matches nearest to ``span``, with that match's bounds; on a tie (or an overlap) the
    earlier pattern wins. Nothing inside a test's name counts as a result."""
    found: list[tuple[int, int, str, int, int]] = []
    taken = [match.span() for match in table.test_names.finditer(text, *bounds)]
    for rank, (value, pattern) in enumerate(results):
        for match in pattern.finditer(text, *bounds):
            if any(a <= match.start() and match.end() <= b for a, b in taken):
                continue  # 'pathogenic' inside 'likely pathogenic', 'mutation' inside 'mutation not detected'
            taken.append(match.span())
            distance = span[0] - match.end() if match.end() <= span[0] else match.start() - span[1]
            found.append((max(distance, 0), rank, value, *match.span()))
    if not found:
        return None
    _, _, value, start, end = min(found)
    return value, start, end


def _brca(text: str, table: GenomicsRules) -> Iterator[Candidate]:
    results = [(r.value, r.pattern) for r in table.brca_results]
    for match in table.brca_gene.finditer(text):
        bounds = _statement(text, match.start(), match.end(), table, table.brca_gene)
        nearest = _nearest(text, match.span(), bounds, results, table)
        if nearest is None:
            continue
        result, start, end = nearest
        details = {}
        for origin, pattern in table.origin.items():
            if pattern.search(text, *bounds):
                details["origin"] = origin
        variant = table.hgvs.search(text, match.end(), bounds[1])
        if variant:
            details["hgvs"] = variant.group(0)
        start, end = _evidence(match, start, end, variant)
        for digit in dict.fromkeys(re.findall(r"[12]", match.group("genes"))):
            gene = f"BRCA{digit}"
            yield Candidate("brca", f"{gene} {result}", start, end, "genomics.brca", details=details)


def _pdl1(text: str, table: GenomicsRules) -> Iterator[Candidate]:
    for match in table.pdl1.finditer(text):
        kind = table.pdl1_kinds.get(re.sub(r"\s+", " ", match.group("kind")).lower())
        if kind is None:
            continue
        percent = "%" if kind != "CPS" else ""
        value = f"{kind} {match.group('cmp') or ''}{match.group('score')}{percent}"
        assay = match.group("assay")
        if assay is None:
            nearby = table.pdl1_assay.search(text, max(0, match.start() - 40), min(len(text), match.end() + 40))
            assay = nearby.group("assay") if nearby else None
        details = {"score_type": kind, "score": match.group("score")}
        yield Candidate("pdl1", value, match.start(), match.end(), "genomics.pdl1", method=assay, details=details)


def _gene(text: str, field: str, pattern: re.Pattern[str], table: GenomicsRules) -> Iterator[Candidate]:
    results = [("not-detected", table.gene_not_detected), ("detected", table.gene_detected)]
    for match in pattern.finditer(text):
        bounds = _statement(text, match.start(), match.end(), table, pattern)
        nearest = _nearest(text, match.span(), bounds, results, table)
        if nearest is None:
            continue
        result, start, end = nearest
        details = {}
        variant = table.gene_variant.search(text, match.end(), bounds[1]) if result == "detected" else None
        if variant:
            details["variant"] = variant.group("variant")
        start, end = _evidence(match, start, end, variant)
        yield Candidate(field, result, start, end, f"genomics.{field}", details=details)


def _evidence(gene: re.Match[str], start: int, end: int, variant: re.Match[str] | None) -> tuple[int, int]:
    """The span from the gene to its result (``start:end``), through the variant when one is named."""
    ends = (gene.end(), end, variant.end() if variant else end)
    return min(gene.start(), start), max(ends)
