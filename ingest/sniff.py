"""Type an upload by its content (magic bytes), never by its file name.

Known signatures live in ``signatures.yaml``; text and FHIR JSON have no signature and are recognised by
decoding. Every refusal is a :mod:`navis.errors` exception whose message names the type and the file, never the
content.
"""

from __future__ import annotations

import codecs
import json
from functools import lru_cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from navis.errors import ConfigError, EmptyInputError, TooLargeError, UnsupportedTypeError
from navis.settings import Settings, get_settings
from navis.yamlfile import parse_yaml

PLAIN_TEXT = "text/plain"
PDF = "application/pdf"
FHIR_JSON = "application/fhir+json"
SIGNATURES_FILE = "signatures.yaml"

# How much of the start of a file is enough to call it text: a 64 KiB prefix decides for any real report.
_TEXT_PROBE_BYTES = 64 * 1024
# Real text is almost entirely printable; binary formats without NUL bytes still carry many control bytes.
_MIN_PRINTABLE_RATIO = 0.95
_TEXT_CONTROLS = frozenset("\t\n\r\f")
_WITHOUT_TEXT_CONTROLS = str.maketrans("", "", "\t\n\r\f")


class _Part(BaseModel):
    """One byte pattern: at a fixed offset, or anywhere in the first ``within`` bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hex: str
    offset: Annotated[int, Field(ge=0)] | None = None
    within: Annotated[int, Field(gt=0)] | None = None

    @field_validator("hex")
    @classmethod
    def _is_hex(cls, value: str) -> str:
        bytes.fromhex(value)  # raises ValueError with the position of the bad digit
        return value

    @model_validator(mode="after")
    def _one_position(self) -> _Part:
        if (self.offset is None) == (self.within is None):
            raise ValueError("give exactly one of 'offset' or 'within'")
        return self


class Signature(BaseModel):
    """A file type we recognise, whether or not we can read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    media_type: str
    description: str
    supported: bool
    hint: str = ""
    parts: Annotated[tuple[_Part, ...], Field(min_length=1)]


class _SignatureFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signatures: Annotated[tuple[Signature, ...], Field(min_length=1)]


@lru_cache(maxsize=1)
def signatures() -> tuple[Signature, ...]:
    """The validated signature table shipped with ingest (``signatures.yaml``)."""
    text = resources.files("ingest").joinpath(SIGNATURES_FILE).read_text(encoding="utf-8")
    return parse_signatures(text, SIGNATURES_FILE)


# (pattern, offset, within) of each part: the table as plain tuples, since every upload is matched against all of it.
_CompiledPart = tuple[bytes, int, int | None]


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[Signature, tuple[_CompiledPart, ...]], ...]:
    return tuple(
        (signature, tuple((bytes.fromhex(part.hex), part.offset or 0, part.within) for part in signature.parts))
        for signature in signatures()
    )


def _matches(data: bytes, parts: tuple[_CompiledPart, ...]) -> bool:
    # A plain loop with startswith: a generator under all() and a slice per part cost more than the test itself.
    for pattern, offset, within in parts:
        if not (data.startswith(pattern, offset) if within is None else data.find(pattern, 0, within) >= 0):
            return False
    return True


def parse_signatures(text: str, source: str) -> tuple[Signature, ...]:
    """Validate a signature table; a bad one raises :class:`ConfigError` naming ``source`` and the key."""
    try:
        return _SignatureFile.model_validate(parse_yaml(text)).signatures
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{source}: {key}: {first['msg']}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({type(exc).__name__})") from exc


def sniff(data: bytes, name: str = "", settings: Settings | None = None) -> str:
    """The media type of ``data`` judged by content: a PDF, image, ``text/plain`` or ``application/fhir+json``.

    Raises :class:`EmptyInputError` for zero bytes, :class:`TooLargeError` over ``max_upload_bytes`` and
    :class:`UnsupportedTypeError` for anything we do not read (with a hint where one helps).
    """
    settings = settings or get_settings()
    label = repr(name) if name else "the upload"
    if not data:
        raise EmptyInputError(f"{label} is empty (0 bytes)")
    if len(data) > settings.max_upload_bytes:
        raise TooLargeError(f"{label} is {len(data)} bytes, over the limit of {settings.max_upload_bytes} bytes")
    for signature, parts in _compiled():
        if _matches(data, parts):
            if signature.supported:
                return signature.media_type
            hint = f"; {signature.hint}" if signature.hint else ""
            raise UnsupportedTypeError(f"{label} is {signature.description}, which we cannot read{hint}")
    if _is_json_object_start(data):
        return _sniff_json(data, label)
    if _looks_like_text(data):
        return PLAIN_TEXT
    raise UnsupportedTypeError(
        f"{label} is not a type we read (PDF, PNG, JPEG, TIFF, WebP, BMP, plain text or FHIR JSON)"
    )


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: UTF-8 (BOM allowed), else Windows-1252, else Latin-1. Returns (text, encoding used)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_like_text(data: bytes) -> bool:
    probe = data[:_TEXT_PROBE_BYTES]
    if b"\x00" in probe:
        return False
    try:
        # An incremental decoder tolerates a multi-byte character cut at the end of the probe.
        sample = codecs.getincrementaldecoder("utf-8-sig")().decode(probe, final=len(probe) == len(data))
    except UnicodeDecodeError:
        sample, _ = decode_text(probe)
    if not sample or sample.translate(_WITHOUT_TEXT_CONTROLS).isprintable():  # the usual case, at C speed
        return True
    printable = sum(1 for ch in sample if ch.isprintable() or ch in _TEXT_CONTROLS)
    return printable / len(sample) >= _MIN_PRINTABLE_RATIO


def _is_json_object_start(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def _sniff_json(data: bytes, label: str) -> str:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        # Braces but not JSON: a text report may start with "{"; let the text test decide.
        if _looks_like_text(data):
            return PLAIN_TEXT
        raise UnsupportedTypeError(f"{label} is not a type we read") from None
    if isinstance(parsed, dict) and isinstance(parsed.get("resourceType"), str):
        return FHIR_JSON
    raise UnsupportedTypeError(f"{label} is JSON but not a FHIR resource (no 'resourceType')")
