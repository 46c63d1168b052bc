"""Tailored answers per profile archetype: what must appear, and what must not."""

from __future__ import annotations

from tests.unit.personalize_support import all_text, answer_of, finding, report, shown

METASTATIC = finding("stage_group", "IV")
HR_POSITIVE = (finding("er_percent", "95"), finding("er_status", "positive"), finding("pr_status", "negative"))
TNBC_RECEPTORS = (finding("er_percent", "0"), finding("pr_percent", "0"))
AFTER_ENDOCRINE = {
    "menopausal_status": "post",
    "treatments": [{"name": "letrozole and palbociclib", "setting": "metastatic", "response": "progressed"}],
}
NO_TREATMENT_YET: dict[str, object] = {"treatments": []}

TDXD_LOW = "opt.tdxd.her2-low"
TDXD_DB06 = "opt.tdxd.hr-positive-low-ultralow"


def test_hr_positive_her2_low_metastatic_after_endocrine_therapy() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "1+"), *HR_POSITIVE, METASTATIC), context=AFTER_ENDOCRINE
    )
    options = shown(answer, "options")
    assert TDXD_DB06 in options
    assert "opt.cdk46.fulvestrant" in options
    assert "opt.cdk46.first-line" not in options  # already had endocrine therapy for metastatic disease
    assert TDXD_LOW in shown(answer, "depends")  # chemotherapy for metastatic disease is not in the records
    assert {"test.esr1", "test.pik3ca", "test.brca.germline"} <= shown(answer, "tests")
    assert "safety.ild" in shown(answer, "safety")
    assert "HER2-low" in answer.summary
    assert "HER2-positive" not in answer.summary
    assert "opt.trastuzumab" not in shown(answer, "options") | shown(answer, "depends")


def test_her2_ultralow_hr_positive() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "0", subclass="ultralow"), *HR_POSITIVE, METASTATIC),
        context=AFTER_ENDOCRINE,
    )
    assert TDXD_DB06 in shown(answer, "options")
    assert TDXD_LOW not in shown(answer, "options") | shown(answer, "depends")  # DB04 is HER2-low only
    assert "mean.her2.ultralow" in shown(answer, "meaning")
    assert "counts as HER2-low" not in all_text(answer)


def test_her2_zero_null_gets_no_tdxd_and_says_why() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "0 (null)"), *HR_POSITIVE, METASTATIC), context=AFTER_ENDOCRINE
    )
    offered = shown(answer, "options") | shown(answer, "depends")
    assert not {TDXD_LOW, TDXD_DB06} & offered
    assert "na.tdxd.her2-zero" in shown(answer, "not-applicable")
    assert "q.her2-zero-retest" in shown(answer, "questions")
    assert "HER2-low" not in answer.summary


def test_her2_zero_without_subclass_asks_for_the_score() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "0"), *HR_POSITIVE, METASTATIC), context=AFTER_ENDOCRINE
    )
    assert "test.her2.score" in shown(answer, "tests")
    assert TDXD_DB06 not in shown(answer, "options")
    assert TDXD_DB06 in shown(answer, "depends")  # it could be ultralow: the exact score decides
    assert TDXD_LOW not in shown(answer, "depends")  # IHC 0 is never HER2-low


def test_her2_positive_early() -> None:
    answer = answer_of(
        report("excision.pdf", finding("her2_ihc", "3+"), *HR_POSITIVE, finding("pT", "pT2"), finding("pN", "pN1a"))
    )
    options = shown(answer, "options")
    assert {"opt.trastuzumab", "opt.pertuzumab.early", "opt.tdxd.early"} <= options
    assert not {"opt.thp.first-line", "opt.tdxd-pertuzumab.first-line", TDXD_DB06} & (
        options | shown(answer, "depends")
    )
    assert "opt.tdm1.residual" in shown(answer, "depends")  # needs to know about residual disease after neoadjuvant
    assert "safety.cardiac" in shown(answer, "safety")
    assert "mean.early" in shown(answer, "meaning")


def test_her2_positive_metastatic_untreated() -> None:
    answer = answer_of(report("biopsy.pdf", finding("her2_ihc", "3+"), METASTATIC), context=NO_TREATMENT_YET)
    options = shown(answer, "options")
    assert {"opt.thp.first-line", "opt.tdxd-pertuzumab.first-line"} <= options
    assert not {"opt.tdxd.second-line", "opt.tucatinib"} & (options | shown(answer, "depends"))
    assert "na.tucatinib.maintenance" in shown(answer, "not-applicable")


def test_her2_positive_metastatic_after_her2_therapy() -> None:
    context = {"treatments": [{"name": "docetaxel, trastuzumab and pertuzumab", "setting": "metastatic"}]}
    answer = answer_of(report("biopsy.pdf", finding("her2_ish", "amplified"), METASTATIC), context=context)
    assert {"opt.tdxd.second-line", "opt.tucatinib", "opt.tdm1.metastatic"} <= shown(answer, "options")
    assert "opt.thp.first-line" not in shown(answer, "options")


def test_tnbc_with_pdl1_cps_10_or_more() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "0"), *TNBC_RECEPTORS, finding("pdl1", "15"), METASTATIC),
        context=NO_TREATMENT_YET,
    )
    options = shown(answer, "options")
    assert {"opt.pembrolizumab.metastatic-tnbc", "opt.sacituzumab-pembrolizumab.first-line"} <= options
    assert not {"opt.sacituzumab.first-line", "opt.datodxd.first-line-tnbc"} & options
    assert "mean.tnbc" in shown(answer, "meaning")
    assert "na.atezolizumab" in shown(answer, "not-applicable")
    assert "test.pdl1" not in shown(answer, "tests")


def test_tnbc_with_low_pdl1() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "1+"), *TNBC_RECEPTORS, finding("pdl1", "2"), METASTATIC),
        context=NO_TREATMENT_YET,
    )
    options = shown(answer, "options")
    assert {"opt.sacituzumab.first-line", "opt.datodxd.first-line-tnbc"} <= options
    assert "opt.pembrolizumab.metastatic-tnbc" not in options | shown(answer, "depends")
    assert "na.pembrolizumab.cps-low" in shown(answer, "not-applicable")
    assert "mean.tnbc.her2-low" in shown(answer, "meaning")


def test_tnbc_without_pdl1_asks_for_it() -> None:
    answer = answer_of(report("biopsy.pdf", finding("her2_ihc", "0"), *TNBC_RECEPTORS, METASTATIC))
    assert "test.pdl1" in shown(answer, "tests")
    assert "opt.pembrolizumab.metastatic-tnbc" in shown(answer, "depends")
    assert "opt.pembrolizumab.metastatic-tnbc" not in shown(answer, "options")


def test_er_low_is_neither_triple_negative_nor_hormone_driven() -> None:
    answer = answer_of(
        report(
            "biopsy.pdf", finding("er_percent", "5"), finding("pr_percent", "0"), finding("her2_ihc", "1+"), METASTATIC
        )
    )
    assert {"mean.er.low", "mean.er.low-biology"} <= shown(answer, "meaning")
    assert "mean.tnbc" not in shown(answer, "meaning")
    assert "q.er-low" in shown(answer, "questions")
    assert "ER-low" in answer.summary
    text = all_text(answer).lower()
    assert "is triple-negative" not in text
    assert "is hormone-driven" not in text
    assert "opt.cdk46.first-line" not in shown(answer, "options") | shown(answer, "depends")


def test_germline_brca_carrier() -> None:
    answer = answer_of(
        report("genetics.pdf", finding("brca", "BRCA2 pathogenic", origin="germline")),
        report("biopsy.pdf", finding("her2_ihc", "0"), *TNBC_RECEPTORS, METASTATIC),
        context={"treatments": [{"name": "paclitaxel", "setting": "adjuvant"}]},
    )
    assert {"opt.olaparib.metastatic", "opt.talazoparib"} <= shown(answer, "options")
    assert "safety.parp" in shown(answer, "safety")
    assert "test.brca.germline" not in shown(answer, "tests")
    assert "q.germline-family" in shown(answer, "questions")


def test_somatic_brca_does_not_open_parp_inhibitors() -> None:
    answer = answer_of(
        report("tumor-panel.pdf", finding("brca", "BRCA1 pathogenic", origin="somatic")),
        report("biopsy.pdf", finding("her2_ihc", "0"), *TNBC_RECEPTORS, METASTATIC),
    )
    assert "opt.olaparib.metastatic" not in shown(answer, "options")
    assert "opt.talazoparib" in shown(answer, "depends")
    assert "mean.brca.somatic" in shown(answer, "meaning")
    assert "test.brca.origin" in shown(answer, "tests")


def test_stage_iii_is_locally_advanced_not_metastatic() -> None:
    answer = answer_of(
        report(
            "excision.pdf",
            finding("her2_ihc", "2+"),
            finding("her2_ish", "not-amplified"),
            *HR_POSITIVE,
            finding("stage_group", "IIIA"),
        )
    )
    assert "mean.locally-advanced" in shown(answer, "meaning")
    assert "mean.metastatic" not in shown(answer, "meaning")
    offered = shown(answer, "options") | shown(answer, "depends")
    assert not {TDXD_LOW, TDXD_DB06, "opt.cdk46.first-line"} & offered
    assert "na.tdxd.early-low" in shown(answer, "not-applicable")
    assert "opt.ribociclib.adjuvant" in shown(answer, "options")


def test_stage_iv_is_metastatic() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "2+"), finding("her2_ish", "not-amplified"), *HR_POSITIVE, METASTATIC)
    )
    assert "mean.metastatic" in shown(answer, "meaning")
    assert "opt.ribociclib.adjuvant" not in shown(answer, "options") | shown(answer, "depends")


def test_conflicting_her2_reports_are_surfaced_not_resolved() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "0", date="2025-01-10"), *HR_POSITIVE, METASTATIC),
        report("excision.pdf", finding("her2_ihc", "1+", date="2025-02-03")),
        context=AFTER_ENDOCRINE,
    )
    conflicts = answer.section("conflicts")
    assert conflicts is not None
    first = conflicts.items[0]
    assert {ref.value for ref in first.records} == {"0", "1+"}
    assert {ref.source for ref in first.records} == {"biopsy.pdf", "excision.pdf"}
    assert TDXD_DB06 in shown(answer, "depends")
    assert TDXD_DB06 not in shown(answer, "options")
    assert "conflict.general" in shown(answer, "conflicts")
    assert "q.conflict" in shown(answer, "questions")
    assert "undecided" in answer.summary


def test_receptor_conversion_is_a_conflict() -> None:
    answer = answer_of(
        report(
            "primary.pdf",
            finding("er_status", "positive", date="2021-03-01"),
            finding("pr_status", "negative"),
            finding("her2_ihc", "1+"),
        ),
        report("liver-biopsy.pdf", finding("er_status", "negative", date="2025-06-01"), METASTATIC),
    )
    assert "mean.hr.positive" not in shown(answer, "meaning")
    assert "mean.hr.negative" not in shown(answer, "meaning")
    assert "opt.cdk46.first-line" in shown(answer, "depends")
    assert any(item.title and "Estrogen" in item.title for item in answer.section("conflicts").items)  # type: ignore[union-attr]


def test_missing_brca_esr1_pik3ca_are_named_with_what_they_could_change() -> None:
    answer = answer_of(
        report("biopsy.pdf", finding("her2_ihc", "1+"), *HR_POSITIVE, METASTATIC), context=AFTER_ENDOCRINE
    )
    assert {"test.brca.germline", "test.esr1", "test.pik3ca"} <= shown(answer, "tests")
    depends = {item.statement_id: item for item in answer.section("depends").items}  # type: ignore[union-attr]
    assert any("ESR1" in need for need in depends["opt.elacestrant"].needs)
    assert any("PIK3CA" in need for need in depends["opt.alpelisib"].needs)


def test_every_answer_is_stamped_and_framed() -> None:
    answer = answer_of(report("biopsy.pdf", finding("her2_ihc", "1+")))
    assert answer.kb_version
    assert {"gen.options-not-orders", "gen.us-scope"} <= shown(answer, "about")
    assert "gen.disclaimer" in shown(answer, "disclaimer")
    assert "assume.no-context" in shown(answer, "assumptions")
    assert "test.stage.missing" in shown(answer, "tests")


def test_sacituzumab_for_hr_positive_needs_two_lines_beyond_hormone_therapy() -> None:
    sources = (report("biopsy.pdf", finding("her2_ihc", "0"), *HR_POSITIVE, METASTATIC),)
    endocrine_and_one_chemo = {
        "treatments": [
            {"name": "letrozole + palbociclib", "setting": "metastatic", "start": "2023-01"},
            {"name": "capecitabine", "setting": "metastatic", "start": "2024-02"},
        ]
    }
    two_chemo = {
        "treatments": [
            *endocrine_and_one_chemo["treatments"],
            {"name": "eribulin", "setting": "metastatic", "start": "2025-03"},
        ]
    }
    assert "opt.sacituzumab.hr-positive" not in shown(answer_of(*sources, context=endocrine_and_one_chemo), "options")
    assert "opt.sacituzumab.hr-positive" in shown(answer_of(*sources, context=two_chemo), "options")
    assert "opt.datodxd.hr-positive" in shown(answer_of(*sources, context=endocrine_and_one_chemo), "options")
