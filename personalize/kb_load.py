"""Load the knowledge base from ``personalize/kb/*.yaml`` and validate it: a bad file fails with its name and key.

Checks beyond the schema (see :func:`check`): every statement cites known sources and has a review date; an
unverified (U) statement is worded as unverified; conditions name only registry fields and allowed values; option
references resolve; what a statement asserts about the patient is implied by its condition; coverage of
clinical-knowledge.md is complete.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from navis.errors import ConfigError
from navis.yamlfile import parse_yaml
from personalize.conditions import AllOf, Condition, Leaf, leaves
from personalize.facts import REGISTRY
from personalize.kb_model import CoverageItem, KnowledgeBase, Manifest, Source, Statement

KB_DIR = Path(__file__).parent / "kb"
# libyaml when present: the pure-Python loader makes loading the knowledge base several times slower

M = TypeVar("M", bound=BaseModel)


@lru_cache(maxsize=4)
def load_kb(directory: Path = KB_DIR) -> KnowledgeBase:
    """The validated knowledge base in ``directory`` (cached: loaded once per process, when first needed)."""
    manifest = Manifest.model_validate(_read(directory / "manifest.yaml", "manifest"))
    sources_raw = _read(directory / "sources.yaml", "sources")
    sources = {source.id: source for source in _parse_list(Source, sources_raw, directory / "sources.yaml")}
    coverage = tuple(
        _parse_list(CoverageItem, _read(directory / "coverage.yaml", "items"), directory / "coverage.yaml")
    )
    statements: list[Statement] = []
    for name in manifest.statement_files:
        path = directory / name
        statements.extend(_parse_list(Statement, _read(path, "statements"), path))
    kb = KnowledgeBase(manifest=manifest, statements=tuple(statements), sources=sources, coverage=coverage)
    problems = check(kb)
    if problems:
        raise ConfigError("knowledge base invalid: " + "; ".join(problems))
    return kb


def _read(path: Path, key: str) -> Any:
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot read ({type(exc).__name__})") from exc
    if not isinstance(data, dict) or key not in data:
        raise ConfigError(f"{path.name}: missing top-level key {key!r}")
    return data[key]


def _parse_list(model: type[M], raw: Any, path: Path) -> list[M]:
    if not isinstance(raw, list):
        raise ConfigError(f"{path.name}: expected a list")
    parsed: list[M] = []
    for index, item in enumerate(raw):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            name = item.get("id", f"#{index}") if isinstance(item, dict) else f"#{index}"
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ConfigError(f"{path.name}: {name}: {where}: {first['msg']}") from exc
    return parsed


def check(kb: KnowledgeBase) -> list[str]:
    """Every rule violation in ``kb`` as 'statement-id: problem' (empty when valid)."""
    problems: list[str] = []
    ids = [statement.id for statement in kb.statements]
    problems.extend(f"{dup}: duplicate id" for dup in sorted({i for i in ids if ids.count(i) > 1}))
    options = {statement.id for statement in kb.statements if statement.kind == "option"}
    for statement in kb.statements:
        problems.extend(f"{statement.id}: {problem}" for problem in _check_statement(statement, kb, options))
    covered = {item for statement in kb.statements for item in statement.covers}
    problems.extend(
        f"coverage: {item.id} ({item.name}) has no statement" for item in kb.coverage if item.id not in covered
    )
    known_items = {item.id for item in kb.coverage}
    problems.extend(f"coverage: unknown item {item}" for item in sorted(covered - known_items))
    return problems


def _check_statement(statement: Statement, kb: KnowledgeBase, options: set[str]) -> list[str]:
    problems: list[str] = []
    if not statement.sources:
        problems.append("no source")
    problems.extend(f"unknown source {source}" for source in statement.sources if source not in kb.sources)
    if statement.verification == "U" and not _worded_as_unverified(statement.text, kb.manifest.unverified_markers):
        problems.append("U (unverified) fact stated as fact")
    if statement.when is not None:
        problems.extend(_check_condition(statement.when))
    if statement.kind == "option" and not (statement.therapy and statement.evidence and statement.approval):
        problems.append("option needs therapy, approval, evidence and a condition")
    if statement.kind == "option" and statement.when is None:
        problems.append("option needs therapy, approval, evidence and a condition")
    if statement.about is not None and statement.about not in options:
        problems.append(f"about names unknown option {statement.about}")
    problems.extend(f"related names unknown option {ref}" for ref in statement.related if ref not in options)
    problems.extend(_check_asserts(statement))
    return problems


def _worded_as_unverified(text: str, markers: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in markers)


def _check_condition(condition: Condition) -> list[str]:
    problems: list[str] = []
    for leaf in leaves(condition):
        spec = REGISTRY.get(leaf.field)
        if spec is None:
            problems.append(f"condition names unknown profile field {leaf.field!r}")
            continue
        wanted = [leaf.is_] if isinstance(leaf.is_, str) else list(leaf.in_ or ()) + ([leaf.has] if leaf.has else [])
        problems.extend(
            f"{leaf.field} has no value {value!r}" for value in wanted if spec.values and value not in spec.values
        )
        if isinstance(leaf.is_, bool) and spec.kind != "bool":
            problems.append(f"{leaf.field} is not a yes/no field")
        numeric = leaf.operator in ("gte", "gt", "lte", "lt")
        if numeric and spec.kind != "number":
            problems.append(f"{leaf.field} is not a number field")
    return problems


def _check_asserts(statement: Statement) -> list[str]:
    """A statement that tells the patient "your tumor is X" must only be shown when the profile says X."""
    if not statement.asserts:
        return []
    top: list[Condition] = []
    if isinstance(statement.when, AllOf):
        top = list(statement.when.all)
    elif statement.when is not None:
        top = [statement.when]
    fixed = {leaf.field: _allowed(leaf) for leaf in top if isinstance(leaf, Leaf)}
    problems = []
    for name, value in statement.asserts.items():
        allowed = fixed.get(name)
        if allowed is None or not allowed <= {value}:
            problems.append(f"asserts {name}={value} but its condition does not require it")
    return problems


def _allowed(leaf: Leaf) -> set[str]:
    if isinstance(leaf.is_, str | bool):
        return {str(leaf.is_).lower() if isinstance(leaf.is_, bool) else leaf.is_}
    if leaf.in_ is not None:
        return set(leaf.in_)
    return {"<any>"}
