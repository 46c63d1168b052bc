"""The compact mCODE STU4 constraint extract (``mcode/constraints.json``), loaded once and validated.

Generated from the official StructureDefinition snapshots by ``build_constraints.py``; see ``mcode/README.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from extract.fhir.datafile import load_model

CONSTRAINTS_PATH = Path(__file__).parent / "mcode" / "constraints.json"


class Discriminator(BaseModel):
    """How slices of a repeating element are told apart."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    path: str


class Element(BaseModel):
    """The constrained parts of one ElementDefinition of a profile snapshot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    path: str
    min: int = Field(ge=0)
    max: str
    pattern: Any = None
    pattern_type: str | None = None
    fixed: Any = None
    fixed_type: str | None = None
    types: tuple[str, ...] = ()
    slicing: tuple[Discriminator, ...] = ()
    rules: str | None = None
    profiles: tuple[str, ...] = ()

    @property
    def parent_id(self) -> str:
        return self.id.rsplit(".", 1)[0]

    @property
    def name(self) -> str:
        """The element name in JSON terms (``category``, ``value[x]``), without the slice."""
        return self.id.rsplit(".", 1)[-1].split(":", 1)[0]

    @property
    def slice_name(self) -> str | None:
        last = self.id.rsplit(".", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else None

    @property
    def expected(self) -> Any:
        """The fixed or pattern value, if any."""
        return self.fixed if self.fixed is not None else self.pattern


class Invariant(BaseModel):
    """A FHIRPath constraint on an element of the profile (``obs-6``, ``us-core-2``, mCODE's own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    path: str
    severity: Literal["error", "warning"]
    expression: str
    human: str


class Profile(BaseModel):
    """One profile: its resource type and constrained elements, by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: str
    file: str
    elements: tuple[Element, ...]
    invariants: tuple[Invariant, ...] = ()
    _by_id: dict[str, Element] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index the elements by id once; the check looks them up many times per resource."""
        self._by_id = {element.id: element for element in self.elements}

    def element(self, element_id: str) -> Element | None:
        """The element with this id, if the extract kept it."""
        return self._by_id.get(element_id)


class Constraints(BaseModel):
    """All profiles of the extract, by canonical URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    generated_by: str
    max_depth: int
    profiles: dict[str, Profile]


@lru_cache(maxsize=1)
def load_constraints(path: Path = CONSTRAINTS_PATH) -> Constraints:
    """The validated extract; ConfigError names the file and the first bad key."""
    return load_model(path, Constraints)
