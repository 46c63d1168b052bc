"""Properties over generated profiles: gates met, every statement sourced, no contradictions, HER2 vocabulary (G2)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.finding import Finding
from personalize.answer import build_answer
from personalize.answer_model import Answer
from personalize.conditions import evaluate, leaves
from personalize.kb_load import load_kb
from personalize.profile import Profile
from tests.unit.personalize_support import all_text, finding, profile_of, report

_OPTIONAL = st.none()
HER2 = st.one_of(
    _OPTIONAL,
    st.sampled_from(["0", "0 (ultralow)", "0 (null)", "1+", "2+", "3+"]).map(lambda v: finding("her2_ihc", v)),
)
ISH = st.one_of(
    _OPTIONAL, st.sampled_from(["amplified", "not-amplified", "equivocal"]).map(lambda v: finding("her2_ish", v))
)
ER = st.one_of(_OPTIONAL, st.sampled_from(["0", "5", "50", "95", "<1"]).map(lambda v: finding("er_percent", v)))
PR = st.one_of(_OPTIONAL, st.sampled_from(["positive", "negative"]).map(lambda v: finding("pr_status", v)))
STAGE = st.one_of(
    _OPTIONAL, st.sampled_from(["IA", "IIB", "IIIA", "IIIC", "IV"]).map(lambda v: finding("stage_group", v))
)
TNM = st.one_of(
    _OPTIONAL, st.tuples(st.sampled_from(["pT1c", "pT2", "pT3", "pT4d"]), st.sampled_from(["pN0", "pN1a", "pN2a"]))
)
BRCA = st.one_of(
    _OPTIONAL,
    st.tuples(
        st.sampled_from(["BRCA1 pathogenic", "BRCA2 likely-pathogenic", "BRCA1 vus", "BRCA1 negative"]),
        st.sampled_from(["germline", "somatic", ""]),
    ).map(lambda pair: finding("brca", pair[0], origin=pair[1])),
)
MARKERS = st.lists(
    st.tuples(st.sampled_from(["esr1", "pik3ca", "akt1", "pten"]), st.sampled_from(["detected", "not-detected"])),
    max_size=3,
)
PDL1 = st.one_of(_OPTIONAL, st.sampled_from(["1", "5", "10", "25"]).map(lambda v: finding("pdl1", v)))
TREATMENT = st.fixed_dictionaries(
    {
        "name": st.sampled_from(
            ["letrozole", "paclitaxel", "trastuzumab", "palbociclib and fulvestrant", "capecitabine"]
        ),
        "setting": st.sampled_from(["adjuvant", "neoadjuvant", "metastatic"]),
    }
)
CONTEXT = st.one_of(
    _OPTIONAL,
    st.fixed_dictionaries(
        {},
        optional={
            "setting": st.sampled_from(["early", "locally-advanced", "metastatic"]),
            "menopausal_status": st.sampled_from(["pre", "post"]),
            "sex": st.sampled_from(["female", "male"]),
            "age": st.integers(min_value=25, max_value=90),
            "treatments": st.lists(TREATMENT, max_size=3),
            "residual_disease_after_neoadjuvant": st.booleans(),
            "relapse_within_12_months_of_adjuvant_endocrine": st.booleans(),
        },
    ),
)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """A patient with any mix of results over one or two reports (a second HER2/ER report may disagree)."""
    first: list[Finding] = [
        f for f in (draw(HER2), draw(ISH), draw(ER), draw(PR), draw(STAGE), draw(BRCA), draw(PDL1)) if f
    ]
    tnm = draw(TNM)
    if tnm:
        first += [finding("pT", tnm[0]), finding("pN", tnm[1])]
    first += [finding(name, value) for name, value in draw(MARKERS)]
    second = [f for f in (draw(HER2), draw(ER)) if f] if draw(st.booleans()) else []
    sources = [report("first.pdf", *first)] + ([report("second.pdf", *second)] if second else [])
    context: dict[str, Any] | None = draw(CONTEXT)
    return profile_of(*sources, context=context)


_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(profiles())
def test_every_option_shown_has_its_gates_met(profile: Profile) -> None:
    statements = load_kb().by_id()
    answer = build_answer(profile)
    facts = profile.facts()
    for statement_id in answer.statement_ids("options"):
        when = statements[statement_id].when
        assert when is not None
        assert evaluate(when, facts) is True, statement_id
    for statement_id in answer.statement_ids("depends"):
        when = statements[statement_id].when
        assert when is not None
        assert evaluate(when, facts) is None, statement_id


@_SETTINGS
@given(profiles())
def test_no_statement_without_a_source(profile: Profile) -> None:
    answer = build_answer(profile)
    listed = {source.id for source in answer.sources}
    for section in answer.sections:
        for item in section.items:
            if item.statement_id:
                assert item.sources, item.statement_id
                assert set(item.sources) <= listed
            else:  # values from the records cite the records themselves
                assert item.records, item.title


@_SETTINGS
@given(profiles())
def test_no_contradictory_pair(profile: Profile) -> None:
    statements = load_kb().by_id()
    answer = build_answer(profile)
    offered = set(answer.statement_ids("options")) | set(answer.statement_ids("depends"))
    for statement_id in answer.statement_ids("not-applicable"):
        assert statements[statement_id].about not in offered, statement_id
    asserted: dict[str, str] = {}
    for statement_id in answer.statement_ids():
        for field, value in statements[statement_id].asserts.items():
            assert asserted.setdefault(field, value) == value, (field, value, asserted[field])
            fact = profile.facts().get(field)
            assert str(fact).lower() == value, (statement_id, field, fact)


_PATIENT_CATEGORY = re.compile(r"(?:your tumor|your cancer|your profile)\W+(?:counts as|is)\s+(HER2-[a-z0-9]+)", re.I)
_LABEL = {"positive": "HER2-positive", "low": "HER2-low", "ultralow": "HER2-ultralow", "zero": "HER2-0"}


def _patient_claims(answer: Answer) -> list[str]:
    texts = [item.text for section in answer.sections for item in section.items]
    return [match.group(1) for text in texts for match in _PATIENT_CATEGORY.finditer(text)]


@_SETTINGS
@given(profiles())
def test_her2_vocabulary_never_violated(profile: Profile) -> None:
    answer = build_answer(profile)
    category = profile.facts().get("her2_category")
    claims = _patient_claims(answer)
    summary_head = answer.summary.split(" · ")[0]
    if category in _LABEL:
        assert set(claims) <= {_LABEL[category]}
    else:
        assert not claims  # undecided or no score: never told a category
    if category in ("zero", "positive", "ultralow", "zero-unspecified", "negative-unscored") or category is None:
        assert not summary_head.startswith("HER2-low")
    if category in ("low", "ultralow", "zero", "zero-unspecified"):
        assert "HER2-positive" not in summary_head
        her2_positive_only = {
            s.id
            for s in load_kb().statements
            if s.kind == "option"
            and s.when is not None
            and any(leaf.field == "her2_category" and leaf.is_ == "positive" for leaf in leaves(s.when))
        }
        assert not her2_positive_only & set(answer.statement_ids("options"))


# Clinical invariants written independently of the YAML gates (G3, G5): if the KB drifts, these catch it.
_INVARIANTS: dict[str, Any] = {
    "opt.tdxd.her2-low": lambda f: f.get("her2_category") == "low" and f.get("setting") == "metastatic",
    "opt.tdxd.hr-positive-low-ultralow": lambda f: (
        f.get("her2_category") in ("low", "ultralow")
        and f.get("hr_status") == "positive"
        and f.get("setting") == "metastatic"
    ),
    "opt.olaparib.metastatic": lambda f: f.get("germline_brca_pathogenic") is True,
    "opt.olaparib.adjuvant": lambda f: f.get("germline_brca_pathogenic") is True,
    "opt.talazoparib": lambda f: f.get("germline_brca_pathogenic") is True,
    "opt.pembrolizumab.metastatic-tnbc": lambda f: f.get("triple_negative") is True and (f.get("pdl1_cps") or 0) >= 10,
    "opt.elacestrant": lambda f: f.get("esr1") == "detected",
    "opt.alpelisib": lambda f: f.get("pik3ca") == "detected",
    "opt.gedatolisib": lambda f: f.get("pik3ca") == "not-detected",
    "opt.trastuzumab": lambda f: f.get("her2_category") == "positive",
}


@_SETTINGS
@given(profiles())
def test_biomarker_gated_options_need_the_biomarker(profile: Profile) -> None:
    facts = profile.facts()
    for statement_id in build_answer(profile).statement_ids("options"):
        check = _INVARIANTS.get(statement_id)
        assert check is None or check(facts), statement_id


_ORDERS = re.compile(
    r"\byou (?:should|must|need to) (?:take|start|stop|get)\b|\b\d+\s?mg\b|\bdos(?:e|ing)\b|\bwill cure\b", re.I
)


@_SETTINGS
@given(profiles())
def test_options_never_orders(profile: Profile) -> None:
    text = all_text(build_answer(profile))
    assert not _ORDERS.search(text)
    assert "not medical advice" in text
