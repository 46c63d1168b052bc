"""Defer modules that medspaCy imports but our pipeline never uses, to keep the command line's cold start short.

``import medspacy`` pulls in QuickUMLS, which imports NLTK at module level (about 0.3 s here; see
shared/docs/performance-notes.md). We use neither. :func:`defer` puts a stand-in module in ``sys.modules``: the
``import`` statement succeeds at once, and the real module is imported the first time any attribute the stand-in
lacks is read, so nothing breaks if some code does use it.

The standard library's ``importlib.util.LazyLoader`` does not do here: on Python 3.11 the ``import`` statement
itself reads ``module.__spec__`` of a module already in ``sys.modules``, and any attribute read makes a lazy
module execute, so NLTK still loaded in full.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

#: Imported by medspaCy's import chain, unused by our pipeline.
UNUSED_BY_PIPELINE: tuple[str, ...] = ("nltk",)


class _Deferred(types.ModuleType):
    """Stands in for a module until one of its attributes is needed, then becomes a view of the real one."""

    def __getattr__(self, attribute: str) -> Any:
        # Only called for attributes the stand-in lacks, so ``__spec__``, ``__name__`` and friends stay cheap.
        return getattr(_load(self), attribute)


def defer(names: tuple[str, ...] = UNUSED_BY_PIPELINE) -> None:
    """Make each not-yet-imported module in ``names`` load on first attribute access."""
    for name in names:
        if name in sys.modules or importlib.util.find_spec(name) is None:
            continue
        sys.modules[name] = _Deferred(name)


def is_loaded(name: str) -> bool:
    """Whether ``name`` has really been imported (not just deferred)."""
    return name in sys.modules and not isinstance(sys.modules[name], _Deferred)


def _load(stand_in: _Deferred) -> types.ModuleType:
    name = stand_in.__name__
    if sys.modules.get(name) is stand_in:
        del sys.modules[name]
    try:
        module = importlib.import_module(name)
    except BaseException:
        sys.modules.setdefault(name, stand_in)
        raise
    # Code that kept a reference to the stand-in (``import nltk`` at the top of a module) now sees the real names.
    stand_in.__dict__.update(module.__dict__)
    return module
