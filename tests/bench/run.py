"""``make bench``: run every benchmark module's ``main()`` in turn and print its figures.

Benchmarks measure speed and memory against the issues' targets; they are not tests and never fail the build.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import tests.bench as bench_package


def main(argv: list[str]) -> int:
    """Run the benchmarks named in ``argv`` (module names without ``bench_``), or all of them."""
    wanted = set(argv)
    for info in sorted(pkgutil.iter_modules(bench_package.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        if wanted and info.name.removeprefix("bench_") not in wanted:
            continue
        module = importlib.import_module(f"tests.bench.{info.name}")
        sys.stdout.write(f"\n== {info.name} ==\n")
        sys.stdout.flush()
        started = time.perf_counter()
        module.main()
        sys.stdout.write(f"({info.name} took {time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
