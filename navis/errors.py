"""The error tree. Edges map these, and only these, to HTTP statuses and CLI exit codes.

    NavisError                      base; ``code`` is a stable machine-readable id
    ├── InputError                  the caller's input is unusable (HTTP 4xx, CLI exit 2)
    │   ├── EmptyInputError         zero bytes, or nothing readable in it
    │   ├── UnsupportedTypeError    content is not a type we read (HTTP 415)
    │   ├── CorruptInputError       truncated or damaged file
    │   ├── EncryptedInputError     password-protected PDF
    │   ├── TooLargeError           over a size, page or pixel limit (HTTP 413)
    │   └── InvalidFhirError        malformed FHIR; carries FHIRPath-like locations (HTTP 422/400)
    ├── ConfigError                 bad data file or setting: a deployment problem (exit 3)
    └── ProcessingError             a dependency failed while working (OCR crashed, timed out) (HTTP 500/503)

Messages never contain patient text: they name the file, the limit, or the location in a structure.
"""

from __future__ import annotations


class NavisError(Exception):
    """Base of every error we raise on purpose."""

    code = "navis_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(NavisError):
    """The input cannot be used as given; the caller can fix it."""

    code = "bad_input"


class EmptyInputError(InputError):
    """Nothing to read."""

    code = "empty"


class UnsupportedTypeError(InputError):
    """The bytes are not a format we accept (judged by content, not by name)."""

    code = "unsupported_type"


class CorruptInputError(InputError):
    """The file is truncated or damaged."""

    code = "corrupt"


class EncryptedInputError(InputError):
    """The file is password-protected."""

    code = "encrypted"


class TooLargeError(InputError):
    """Over a configured size, page or pixel limit."""

    code = "too_large"


class InvalidFhirError(InputError):
    """Malformed FHIR. ``issues`` holds (location, message) pairs, location as a FHIRPath expression."""

    code = "invalid_fhir"

    def __init__(self, message: str, issues: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.issues: list[tuple[str, str]] = issues or []


class ConfigError(NavisError):
    """A data file or setting is invalid; names the file and key."""

    code = "config"


class ProcessingError(NavisError):
    """A dependency failed while processing valid input (e.g. Tesseract crashed or timed out)."""

    code = "processing"
