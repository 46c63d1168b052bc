"""Map the error tree to CLI exit codes: the one place that does it."""

from __future__ import annotations

from navis.errors import ConfigError, InputError, NavisError

OK = 0
SOME_FAILED = 1
BAD_INPUT = 2
CONFIG = 3
INTERNAL = 4


def exit_code_for(error: BaseException) -> int:
    """The exit code a command ends with when ``error`` stops it."""
    if isinstance(error, InputError):
        return BAD_INPUT
    if isinstance(error, ConfigError):
        return CONFIG
    if isinstance(error, NavisError):
        return INTERNAL
    return INTERNAL
