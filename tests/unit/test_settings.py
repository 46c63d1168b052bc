"""Settings come from NAVIS_* variables, and the error tree keeps its codes."""

from __future__ import annotations

import pytest

from navis.errors import InputError, TooLargeError
from navis.settings import Settings


def test_settings_read_navis_prefixed_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVIS_MAX_PAGES", "7")
    assert Settings().max_pages == 7


def test_invalid_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAVIS_MAX_PAGES", "0")
    with pytest.raises(ValueError, match="max_pages"):
        Settings()


def test_too_large_is_an_input_error() -> None:
    error = TooLargeError("file is 60 MB; the limit is 50 MB")
    assert isinstance(error, InputError)
    assert error.code == "too_large"
