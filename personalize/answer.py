"""Build the tailored answer from a profile and the knowledge base: every statement selected by its conditions.

Options whose gates the profile meets are listed as options, with the gates and the evidence; options whose gates are
only undecided (a test or a treatment detail is not in the records) are listed under "depends", with what would
decide them; options whose gates fail are left out, and a "does not apply" statement explains the ones a patient
would wonder about. Nothing here is an if-chain over biomarkers: the conditions live in ``kb/*.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable

from personalize.answer_model import Answer, Item, Section, SourceRef
from personalize.answer_results import evidence_ref, result_items, summary_line
from personalize.conditions import Leaf, describe, evaluate, met_leaves, unknown_groups
from personalize.facts import Facts
from personalize.kb_load import load_kb
from personalize.kb_model import KnowledgeBase, Statement
from personalize.profile import Profile

TITLES = {
    "about": "About this answer",
    "results": "What your results show",
    "meaning": "What that means",
    "options": "Options that fit your records",
    "depends": "Options that depend on facts not in your records",
    "not-applicable": "What does not apply, and why",
    "tests": "Tests missing from your records, and what they could change",
    "conflicts": "Results that disagree: worth asking about",
    "questions": "Questions for your oncologist",
    "safety": "Safety notes",
    "assumptions": "What we assumed",
    "disclaimer": "Please note",
}
_KIND_SECTION = {
    "general": "about",
    "meaning": "meaning",
    "not-applicable": "not-applicable",
    "testing": "tests",
    "question": "questions",
    "conflict": "conflicts",
    "disclaimer": "disclaimer",
    "assumption": "assumptions",
}
_INTROS = {
    "options": "Each option lists the conditions from its US label that your records meet, and the trial behind it.",
    "depends": "These could fit, but your records do not show everything their labels require. Each lists what is "
    "missing; your care team can tell whether you meet it.",
}


def build_answer(profile: Profile, kb: KnowledgeBase | None = None) -> Answer:
    """The tailored answer for ``profile`` (the packaged knowledge base unless ``kb`` is given)."""
    kb = kb or load_kb()
    facts = profile.facts()
    buckets: dict[str, list[Item]] = {name: [] for name in TITLES}
    buckets["results"] = result_items(profile)
    shown_options: set[str] = set()
    for statement in kb.statements:
        if statement.kind == "option":
            _place_option(statement, facts, buckets, shown_options)
    for statement in kb.statements:
        if statement.kind in ("option", "safety"):
            continue
        if statement.when is None or evaluate(statement.when, facts) is True:
            buckets[_KIND_SECTION[statement.kind]].append(_item(statement))
    for statement in kb.statements:
        if statement.kind == "safety" and _safety_applies(statement, facts, shown_options):
            buckets["safety"].append(_item(statement))
    buckets["conflicts"] = _conflict_items(profile) + buckets["conflicts"]
    sections = tuple(
        Section(id=name, title=TITLES[name], intro=_INTROS.get(name), items=tuple(items))
        for name, items in buckets.items()
        if items
    )
    return Answer(
        title="What your results mean for treatment options",
        summary=summary_line(profile),
        kb_version=kb.version,
        kb_reviewed=kb.manifest.reviewed.isoformat(),
        sections=sections,
        sources=_cited(sections, kb),
    )


def _place_option(statement: Statement, facts: Facts, buckets: dict[str, list[Item]], shown: set[str]) -> None:
    assert statement.when is not None  # the loader refuses an option without a condition
    truth = evaluate(statement.when, facts)
    if truth is True:
        gates = tuple(describe(leaf) for leaf in met_leaves(statement.when, facts))
        buckets["options"].append(_item(statement, gates=gates))
        shown.add(statement.id)
    elif truth is None:
        groups = unknown_groups(statement.when, facts)
        needs = tuple(dict.fromkeys(", or ".join(_need(leaf, facts) for leaf in group) for group in groups))
        buckets["depends"].append(_item(statement, needs=needs))
        shown.add(statement.id)


def _need(leaf: Leaf, facts: Facts) -> str:
    if leaf.field in facts.conflicted:
        return f"{describe(leaf)} (your reports disagree on this)"
    return describe(leaf)


def _safety_applies(statement: Statement, facts: Facts, shown: set[str]) -> bool:
    if statement.related and not shown.intersection(statement.related):
        return False
    return statement.when is None or evaluate(statement.when, facts) is True


def _item(statement: Statement, gates: tuple[str, ...] = (), needs: tuple[str, ...] = ()) -> Item:
    return Item(
        text=statement.text.strip(),
        statement_id=statement.id,
        sources=statement.sources,
        verification=statement.verification,
        title=statement.therapy,
        approval=statement.approval,
        evidence=statement.evidence.strip() if statement.evidence else None,
        gates=gates,
        needs=needs,
    )


def _conflict_items(profile: Profile) -> list[Item]:
    items = []
    for conflict in profile.conflicts:
        effect = f" This leaves your {conflict.changes} undecided." if conflict.changes else ""
        items.append(
            Item(
                title=conflict.label,
                text=f"Your records give different results for {conflict.label}.{effect}",
                records=tuple(evidence_ref(reading) for reading in conflict.readings),
            )
        )
    return items


def _cited(sections: Iterable[Section], kb: KnowledgeBase) -> tuple[SourceRef, ...]:
    ids = dict.fromkeys(source for section in sections for item in section.items for source in item.sources)
    return tuple(
        SourceRef(id=source, title=kb.sources[source].title, urls=kb.sources[source].urls)
        for source in ids
        if source in kb.sources
    )
