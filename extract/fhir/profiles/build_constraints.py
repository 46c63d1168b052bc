"""Generate ``mcode/constraints.json``: a compact extract of the mCODE STU4 StructureDefinition snapshots.

Run once when the mCODE package changes (it is not imported at run time)::

    cd /tmp && npm pack hl7.fhir.us.mcode@4.0.0 && mkdir -p mcode && tar xzf hl7.fhir.us.mcode-4.0.0.tgz -C mcode
    python -m extract.fhir.profiles.build_constraints /tmp/mcode/package extract/fhir/profiles/mcode/constraints.json

For every profile it keeps what :mod:`extract.fhir.profiles.check` enforces: the cardinality of elements up to
``MAX_DEPTH`` levels below the resource, fixed and pattern values, the allowed types of choice elements, the
slicing discriminators and slices, and the FHIRPath invariants. Bindings and mustSupport are left out (see the
README there).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MAX_DEPTH = 3  # Observation.component:gene-studied.code is depth 2; deeper rules are rare in mCODE
PACKAGE = "hl7.fhir.us.mcode@4.0.0"


def _value_key(element: dict[str, Any], prefix: str) -> tuple[str, Any] | None:
    for key, value in element.items():
        if key.startswith(prefix):
            return key, value
    return None


def _compact(element: dict[str, Any]) -> dict[str, Any]:
    """The parts of one ElementDefinition the checker uses."""
    kept: dict[str, Any] = {"id": element["id"], "path": element["path"], "min": element.get("min", 0)}
    kept["max"] = element.get("max", "*")
    base = element.get("base", {})
    kept["narrowed"] = kept["min"] > base.get("min", 0) or kept["max"] != base.get("max", kept["max"])
    for prefix in ("pattern", "fixed"):
        found = _value_key(element, prefix)
        if found:
            kept[prefix] = found[1]
            kept[f"{prefix}_type"] = found[0].removeprefix(prefix)
    types = [t["code"] for t in element.get("type", [])]
    if types and (element["path"].endswith("[x]") or ":" in element["id"]):
        kept["types"] = types
    if element.get("slicing"):
        kept["slicing"] = element["slicing"].get("discriminator", [])
        kept["rules"] = element["slicing"].get("rules", "open")
    profiles = [p for t in element.get("type", []) for p in t.get("profile", [])]
    if profiles:
        kept["profiles"] = profiles
    return kept


def _worth_keeping(kept: dict[str, Any]) -> bool:
    """Elements that constrain something, or that slices and their children need to be found."""
    if ":" in kept["id"] or "slicing" in kept or "pattern" in kept or "fixed" in kept or "types" in kept:
        kept.pop("narrowed")
        return True
    return bool(kept.pop("narrowed"))


SKIPPED_INVARIANTS = frozenset({"ele-1", "dom-6"})  # ele-1 holds by JSON structure; dom-6 is narrative best practice


def _invariants(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FHIRPath constraints of the snapshot (slices folded onto their element), once per (key, element path)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for element in elements:
        if element["path"].count(".") > MAX_DEPTH:
            continue
        for constraint in element.get("constraint", []):
            key = constraint["key"]
            if key in SKIPPED_INVARIANTS or "expression" not in constraint:
                continue
            found.setdefault(
                (key, element["path"]),
                {
                    "key": key,
                    "path": element["path"],
                    "severity": constraint.get("severity", "error"),
                    "expression": " ".join(constraint["expression"].split()),
                    "human": constraint.get("human", key),
                },
            )
    return list(found.values())


def extract(package_dir: Path) -> dict[str, Any]:
    """Constraints of every StructureDefinition with a snapshot in an unpacked mCODE package."""
    profiles: dict[str, Any] = {}
    for path in sorted(package_dir.glob("StructureDefinition-*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        if definition.get("derivation") != "constraint" or "snapshot" not in definition:
            continue
        elements = [
            _compact(element)
            for element in definition["snapshot"]["element"]
            if element["path"].count(".") <= MAX_DEPTH
        ]
        profiles[definition["url"]] = {
            "name": definition["name"],
            "type": definition["type"],
            "file": path.name,
            "elements": [kept for kept in elements if _worth_keeping(kept)],
            "invariants": _invariants(definition["snapshot"]["element"]),
        }
    return {
        "source": f"npm {PACKAGE} (HL7 mCODE STU4, CC0-1.0), package/StructureDefinition-*.json snapshots",
        "generated_by": "extract/fhir/profiles/build_constraints.py",
        "max_depth": MAX_DEPTH,
        "profiles": profiles,
    }


def main(argv: list[str]) -> int:
    """``build_constraints PACKAGE_DIR OUT_JSON``."""
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    data = extract(Path(argv[0]))
    Path(argv[1]).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stderr.write(f"{len(data['profiles'])} profiles written to {argv[1]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
