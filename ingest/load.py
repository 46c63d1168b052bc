"""Entry point of ``ingest``: bytes in, a :class:`Document` out, typed by content.

Every failure is a :mod:`navis.errors` exception with a message that names the file or the limit, never its text;
library exceptions never escape.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ingest.document import Document
from ingest.pages import PageContent, assemble
from ingest.sniff import FHIR_JSON, PDF, PLAIN_TEXT, sniff
from navis.errors import CorruptInputError, InputError, NavisError, TooLargeError, UnsupportedTypeError
from navis.settings import Settings, get_settings

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/webp", "image/bmp"})


def load(data: bytes, name: str = "", settings: Settings | None = None) -> Document:
    """Read a PDF, image or plain-text file, typed by its content, into a Document.

    FHIR JSON is recognised but refused here: bundles go through ``ingest.fhir``, which also reads their
    attachments through this function.
    """
    settings = settings or get_settings()
    media_type = sniff(data, name, settings)
    if media_type == FHIR_JSON:
        raise UnsupportedTypeError(f"{_label(name)} is a FHIR resource; send it through the FHIR intake (ingest.fhir)")
    warnings: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="navis-ingest-") as workdir:
            contents = _read(data, media_type, Path(workdir), settings, warnings)
    except NavisError:
        raise
    except MemoryError as exc:
        raise TooLargeError(f"{_label(name)} needs more memory than this process has") from exc
    except (OSError, ValueError, RuntimeError) as exc:  # a library fault we did not foresee: keep text out of it
        raise CorruptInputError(f"{_label(name)} could not be read ({type(exc).__name__})") from exc
    return assemble(contents, data=data, media_type=media_type, name=name, warnings=warnings)


def load_file(path: Path, settings: Settings | None = None) -> Document:
    """:func:`load` for a file on disk, refusing one over ``max_upload_bytes`` before reading it."""
    settings = settings or get_settings()
    try:
        size = path.stat().st_size
        if size > settings.max_upload_bytes:
            raise TooLargeError(f"{path.name!r} is {size} bytes, over the limit of {settings.max_upload_bytes} bytes")
        data = path.read_bytes()
    except OSError as exc:  # missing, a folder, no permission: the caller's path is the problem
        raise InputError(f"{path.name!r} could not be read ({type(exc).__name__})") from exc
    return load(data, path.name, settings)


def _read(data: bytes, media_type: str, workdir: Path, settings: Settings, warnings: list[str]) -> list[PageContent]:
    # Readers import their libraries when first used: `import ingest` stays light for the API and workers.
    if media_type == PLAIN_TEXT:
        from ingest.plain import read_plain

        pages, text_warnings = read_plain(data, max_pages=settings.max_pages)
        warnings.extend(text_warnings)
        return pages
    if media_type == PDF:
        from ingest.pdf import read_pdf

        pages, pdf_warnings = read_pdf(data, workdir, settings)
        warnings.extend(pdf_warnings)
        return pages
    if media_type in IMAGE_TYPES:
        from ingest.images import read_image

        return read_image(data, workdir, settings)
    raise UnsupportedTypeError(f"{media_type} has no reader")


def _label(name: str) -> str:
    return repr(name) if name else "the upload"
