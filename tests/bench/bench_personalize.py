"""Personalized answers: milliseconds to build one answer from a profile (target <= 20 ms), plus profile and render.

Profiles span the archetypes (HR+ HER2-low metastatic, ultralow, HER2-0, HER2+ early/metastatic, TNBC with and
without PD-L1, ER-low, germline BRCA, conflicting reports). ``python -m tests.bench.run personalize``.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from personalize.answer import build_answer
from personalize.kb_load import load_kb
from personalize.profile import Profile
from personalize.render import render
from tests.unit.personalize_support import finding, profile_of, report

TARGET_MS = 20.0
ROUNDS = 200


def _profiles() -> list[Profile]:
    stage_iv = finding("stage_group", "IV")
    hr_pos = (finding("er_percent", "95"), finding("pr_status", "negative"))
    tnbc = (finding("er_percent", "0"), finding("pr_percent", "0"))
    after_et = {"menopausal_status": "post", "treatments": [{"name": "letrozole", "setting": "metastatic"}]}
    return [
        profile_of(report("a", finding("her2_ihc", "1+"), *hr_pos, stage_iv), context=after_et),
        profile_of(report("a", finding("her2_ihc", "0 (ultralow)"), *hr_pos, stage_iv), context=after_et),
        profile_of(report("a", finding("her2_ihc", "0 (null)"), *hr_pos, stage_iv)),
        profile_of(report("a", finding("her2_ihc", "3+"), *hr_pos, finding("pT", "pT2"), finding("pN", "pN1a"))),
        profile_of(report("a", finding("her2_ihc", "3+"), stage_iv), context={"treatments": []}),
        profile_of(report("a", finding("her2_ihc", "0"), *tnbc, finding("pdl1", "15"), stage_iv)),
        profile_of(report("a", finding("her2_ihc", "1+"), *tnbc, stage_iv)),
        profile_of(report("a", finding("er_percent", "5"), finding("pr_percent", "0"), finding("her2_ihc", "1+"))),
        profile_of(report("a", finding("brca", "BRCA1 pathogenic", origin="germline"), *tnbc, stage_iv)),
        profile_of(report("a", finding("her2_ihc", "0"), *hr_pos, stage_iv), report("b", finding("her2_ihc", "1+"))),
    ]


def _per_call_ms(action: Callable[[], object], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    """Print median and p95 ms per answer, per profile build and per rendering."""
    load_kb()  # loaded once per process, as in the service; not part of the per-answer cost
    profiles = _profiles()
    answers = [build_answer(profile) for profile in profiles]
    rows = {
        "answer from profile": _per_call_ms(lambda: [build_answer(p) for p in profiles], ROUNDS // 10),
        "profile from findings": _per_call_ms(_profiles, ROUNDS // 40),
        "render markdown": _per_call_ms(lambda: [render(a, "md") for a in answers], ROUNDS // 10),
        "render html": _per_call_ms(lambda: [render(a, "html") for a in answers], ROUNDS // 10),
        "render json": _per_call_ms(lambda: [render(a, "json") for a in answers], ROUNDS // 10),
    }
    for name, timings in rows.items():
        per_item = [t / len(profiles) for t in timings]
        median = statistics.median(per_item)
        p95 = sorted(per_item)[int(0.95 * (len(per_item) - 1))]
        flag = (
            f"  (target <= {TARGET_MS:.0f} ms: {'met' if median <= TARGET_MS else 'MISSED'})"
            if name.startswith("answer")
            else ""
        )
        sys.stdout.write(f"{name:24s} median {median:7.2f} ms  p95 {p95:7.2f} ms per patient{flag}\n")


if __name__ == "__main__":
    main()
