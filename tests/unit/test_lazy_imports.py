"""Deferred imports: the pipeline's cold start skips NLTK, yet code that does use a deferred module still works."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.lazy_imports import defer, is_loaded
from tests.support.corpus import REPO_ROOT


@pytest.fixture
def slow_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module that records in an environment-free way (a file) whether its body ran."""
    name = "navis_test_slow_module"
    marker = tmp_path / "executed"
    (tmp_path / f"{name}.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('yes')\nVALUE = 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield name
    sys.modules.pop(name, None)


def test_importing_a_deferred_module_does_not_run_it(slow_module: str, tmp_path: Path) -> None:
    defer((slow_module,))
    module = importlib.import_module(slow_module)  # what `import x` at the top of a third-party module does
    assert not (tmp_path / "executed").exists()
    assert not is_loaded(slow_module)
    assert module.__name__ == slow_module


def test_the_first_attribute_read_imports_the_real_module(slow_module: str, tmp_path: Path) -> None:
    defer((slow_module,))
    module = importlib.import_module(slow_module)
    assert module.VALUE == 42
    assert (tmp_path / "executed").exists()
    assert is_loaded(slow_module)
    assert importlib.import_module(slow_module).VALUE == 42


def test_building_the_pipeline_leaves_nltk_unloaded() -> None:
    # A fresh interpreter: another test in this process may have used NLTK for real.
    probe = (
        "from extract.nlp import get_nlp; from extract.lazy_imports import is_loaded; "
        "get_nlp(); print(is_loaded('nltk'))"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert answer.stdout.strip() == "False"
