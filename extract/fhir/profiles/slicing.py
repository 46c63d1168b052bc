"""Finding an element's values in FHIR JSON, and telling which slice a repeated value belongs to.

Supported discriminators (all that mCODE STU4 uses on elements we check): ``value``/``pattern`` on ``$this``,
``url``, ``code``, ``coding`` and dotted paths; ``type`` on ``$this`` (choice types) and on ``resource`` (Bundle
entries). ``profile`` discriminators (``resolve()``) need the target resource: those slices are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extract.fhir.profiles.constraints import Element, Profile


@dataclass(frozen=True, slots=True)
class Instance:
    """One value found in the JSON, with its FHIRPath location and, for choice elements, its type suffix."""

    value: Any
    location: str
    key: str = ""
    type_suffix: str = ""


def children(parent: Instance, name: str) -> list[Instance]:
    """The values of element ``name`` (``category``, ``value[x]``) below ``parent``."""
    if not isinstance(parent.value, dict):
        return []
    if name.endswith("[x]"):
        prefix = name[:-3]
        keys = [k for k in parent.value if k.startswith(prefix) and len(k) > len(prefix) and k[len(prefix)].isupper()]
        return [Instance(parent.value[k], f"{parent.location}.{k}", k, k[len(prefix) :]) for k in keys]
    if name not in parent.value:
        return []
    value = parent.value[name]
    if isinstance(value, list):
        return [Instance(item, f"{parent.location}.{name}[{i}]", name) for i, item in enumerate(value)]
    return [Instance(value, f"{parent.location}.{name}", name)]


def matches(pattern: Any, value: Any) -> bool:
    """FHIR pattern semantics: every element of the pattern is present in the value (lists: each pattern item
    matches some value item); primitives are equal."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(matches(item, value.get(key)) for key, item in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(matches(item, v) for v in value) for item in pattern)
    return bool(pattern == value)


@dataclass(frozen=True, slots=True)
class SliceTest:
    """One discriminator of a slice, made concrete: what a member must have, and where."""

    kind: str  # "choice" (value[x] key), "resource" (entry.resource type) or "value" (pattern at path)
    path: str
    expected: Any


def _slicing_base(profile: Profile, element: Element) -> Element | None:
    base = profile.element(f"{element.parent_id}.{element.name}")
    return base if base is not None and base.slicing else None


def _navigate(value: Any, path: str) -> list[Any]:
    """Values at a dotted path, lists flattened (``coding.code``)."""
    found = [value]
    for step in path.split(".") if path != "$this" else []:
        nxt: list[Any] = []
        for item in found:
            child = item.get(step) if isinstance(item, dict) else None
            nxt += child if isinstance(child, list) else [child] if child is not None else []
        found = nxt
    return found


def _expected_at(profile: Profile, element: Element, path: str) -> Any:
    """The value a slice requires at a discriminator path: from a child element, the slice's own pattern,
    or (for extensions) the extension profile's URL."""
    if path == "$this":
        return element.expected
    child = profile.element(f"{element.id}.{path}")
    if child is not None and child.expected is not None:
        return child.expected
    if path == "url" and element.profiles:
        return element.profiles[0]
    own = _navigate(element.expected, path) if element.expected is not None else []
    return own[0] if len(own) == 1 else None


def slice_tests(profile: Profile, element: Element) -> tuple[SliceTest, ...] | None:
    """The tests a value must pass to belong to slice ``element``; None when a discriminator cannot be evaluated
    here (``profile`` discriminators need the referenced resource)."""
    base = _slicing_base(profile, element)
    if base is None:
        return None
    tests: list[SliceTest] = []
    for discriminator in base.slicing:
        resource = profile.element(f"{element.id}.resource")
        if discriminator.type == "type" and discriminator.path == "$this":
            tests.append(SliceTest("choice", "$this", element.slice_name))
        elif discriminator.type == "type" and discriminator.path == "resource" and resource and resource.types:
            tests.append(SliceTest("resource", "resource", resource.types))
        elif discriminator.type in ("value", "pattern"):
            expected = _expected_at(profile, element, discriminator.path)
            if expected is None:
                return None
            tests.append(SliceTest("value", discriminator.path, expected))
        else:
            return None
    return tuple(tests)


def in_slice(tests: tuple[SliceTest, ...], instance: Instance) -> bool:
    """True when ``instance`` passes every test of the slice."""
    for test in tests:
        if test.kind == "choice":
            member = instance.key == test.expected
        elif test.kind == "resource":
            resource = instance.value.get("resource") if isinstance(instance.value, dict) else None
            member = isinstance(resource, dict) and resource.get("resourceType") in test.expected
        else:
            member = any(matches(test.expected, actual) for actual in _navigate(instance.value, test.path))
        if not member:
            return False
    return True
