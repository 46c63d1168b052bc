"""Defer modules that medspaCy imports but our pipeline never uses, to keep the command line's cold start short.

``import medspacy`` pulls in QuickUMLS, which imports NLTK at module level (about a second here; see
shared/docs/performance-notes.md). We use neither. :func:`defer` registers such a module with the standard library's
``importlib.util.LazyLoader``: the ``import`` statement succeeds at once, and the module only executes if one of its
attributes is ever touched, so nothing breaks if some code does use it.
"""

from __future__ import annotations

import importlib.util
import sys

#: Imported by medspaCy's import chain, unused by our pipeline.
UNUSED_BY_PIPELINE: tuple[str, ...] = ("nltk",)


def defer(names: tuple[str, ...] = UNUSED_BY_PIPELINE) -> None:
    """Make each not-yet-imported module in ``names`` load lazily (on first attribute access)."""
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
