"""The profile fields that knowledge-base conditions may name, with their types and allowed values.

This registry is the contract between the profile builder (which fills :class:`Facts`) and the knowledge base (whose
conditions test them): the validator refuses a condition that names a field or value not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["enum", "bool", "number", "set"]
FactValue = str | bool | float | frozenset[str] | None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One condition-testable field: its kind, its allowed values (enum/set) and how a gate names it to a patient."""

    kind: FieldKind
    label: str
    values: tuple[str, ...] = ()


_TREATMENT_NOTE = "(from your records or what you told us)"

REGISTRY: dict[str, FieldSpec] = {
    # biomarkers
    "her2_category": FieldSpec(
        "enum",
        "HER2 category",
        ("positive", "low", "ultralow", "zero", "zero-unspecified", "equivocal", "negative-unscored"),
    ),
    "her2_negative": FieldSpec("bool", "HER2-negative (ASCO/CAP)"),
    "her2_ihc": FieldSpec("enum", "HER2 IHC score", ("0", "1+", "2+", "3+")),
    "er_status": FieldSpec("enum", "estrogen receptor (ER)", ("positive", "low-positive", "negative")),
    "pr_status": FieldSpec("enum", "progesterone receptor (PR)", ("positive", "negative")),
    "hr_status": FieldSpec("enum", "hormone-receptor status", ("positive", "er-low", "negative")),
    "triple_negative": FieldSpec("bool", "triple-negative"),
    "brca_result": FieldSpec(
        "enum",
        "BRCA1/2 result",
        (
            "germline-pathogenic",
            "somatic-pathogenic",
            "pathogenic-origin-unknown",
            "variant-unclassified",
            "vus",
            "negative",
        ),
    ),
    "germline_brca_pathogenic": FieldSpec("bool", "a germline (inherited) BRCA1/2 harmful variant"),
    "pdl1_cps": FieldSpec("number", "PD-L1 CPS (22C3)"),
    "esr1": FieldSpec("enum", "ESR1 mutation", ("detected", "not-detected")),
    "pik3ca": FieldSpec("enum", "PIK3CA mutation", ("detected", "not-detected")),
    "akt1": FieldSpec("enum", "AKT1 alteration", ("detected", "not-detected")),
    "pten": FieldSpec("enum", "PTEN alteration", ("detected", "not-detected")),
    "pi3k_pathway": FieldSpec("enum", "PIK3CA/AKT1/PTEN alteration", ("altered", "not-altered")),
    "ki67_percent": FieldSpec("number", "Ki-67 (%)"),
    "oncotype_rs": FieldSpec("number", "Oncotype DX recurrence score"),
    "grade": FieldSpec("number", "grade"),
    # stage and setting
    "t_category": FieldSpec("number", "tumor size category (T)"),
    "n_category": FieldSpec("number", "lymph node category (N)"),
    "stage_group": FieldSpec("enum", "stage", ("0", "I", "II", "III", "IV")),
    "setting": FieldSpec("enum", "setting", ("in-situ", "early", "locally-advanced", "metastatic")),
    "metastatic_sites": FieldSpec("set", "sites of spread", ("bone", "liver", "lung", "brain", "lymph-node", "other")),
    # the person
    "sex": FieldSpec("enum", "sex", ("female", "male")),
    "age": FieldSpec("number", "age"),
    "menopausal_status": FieldSpec("enum", "menopausal status", ("pre", "peri", "post")),
    # treatments so far
    "prior_endocrine_metastatic": FieldSpec(
        "bool", f"hormone (endocrine) therapy for metastatic disease {_TREATMENT_NOTE}"
    ),
    "prior_chemo_metastatic": FieldSpec("bool", f"chemotherapy for metastatic disease {_TREATMENT_NOTE}"),
    "prior_chemo_any": FieldSpec("bool", f"chemotherapy at any time {_TREATMENT_NOTE}"),
    "prior_anti_her2_metastatic": FieldSpec(
        "bool", f"a HER2-targeted regimen for metastatic disease {_TREATMENT_NOTE}"
    ),
    "prior_anti_her2_any": FieldSpec("bool", f"a HER2-targeted drug at any time {_TREATMENT_NOTE}"),
    "prior_cdk46": FieldSpec("bool", f"a CDK4/6 inhibitor {_TREATMENT_NOTE}"),
    "prior_endocrine_any": FieldSpec("bool", f"hormone (endocrine) therapy at any time {_TREATMENT_NOTE}"),
    "metastatic_lines": FieldSpec("number", f"treatments for metastatic disease so far {_TREATMENT_NOTE}"),
    "metastatic_nonendocrine_lines": FieldSpec(
        "number", f"treatments for metastatic disease other than hormone therapy {_TREATMENT_NOTE}"
    ),
    "progression": FieldSpec("bool", "cancer growing on or after treatment"),
    "neoadjuvant_therapy": FieldSpec("bool", "treatment before surgery (neoadjuvant)"),
    "residual_disease": FieldSpec("bool", "cancer left at surgery after neoadjuvant treatment"),
    "relapse_within_6mo_adjuvant_chemo": FieldSpec("bool", "return during or within 6 months of adjuvant chemotherapy"),
    "relapse_within_12mo_adjuvant_endocrine": FieldSpec(
        "bool", "return during or within 12 months of adjuvant hormone therapy"
    ),
    "has_conflicts": FieldSpec("bool", "reports that disagree"),
    "patient_context_given": FieldSpec("bool", "your own notes (patient-reported context)"),
    "treatment_history_known": FieldSpec("bool", "a list of your treatments so far"),
}


@dataclass(slots=True)
class Facts:
    """The values a profile gives each registry field (None = unknown), and which fields its reports disagree on."""

    values: dict[str, FactValue] = field(default_factory=dict)
    conflicted: frozenset[str] = frozenset()
    # A value that stands for several concrete ones: HER2 "IHC 0" without the ultralow/null distinction may be
    # either, so a gate on HER2-ultralow is undecided for it rather than false.
    possible: dict[str, frozenset[str]] = field(default_factory=dict)

    def get(self, name: str) -> FactValue:
        """The field's value, None when unknown or conflicted."""
        if name in self.conflicted:
            return None
        return self.values.get(name)


#: What an unspecific HER2 category could turn out to be once the exact score is known (clinical-knowledge.md 1a).
HER2_POSSIBLE: dict[str, frozenset[str]] = {
    "zero-unspecified": frozenset({"ultralow", "zero"}),
    "negative-unscored": frozenset({"low", "ultralow", "zero"}),
    "equivocal": frozenset({"positive", "low"}),
}


def value_label(name: str, value: str) -> str:
    """How a gate names a field value to a patient (HER2 categories in the G2 vocabulary)."""
    return VALUE_LABELS.get((name, value), value)


VALUE_LABELS: dict[tuple[str, str], str] = {
    ("her2_category", "positive"): "HER2-positive",
    ("her2_category", "low"): "HER2-low",
    ("her2_category", "ultralow"): "HER2-ultralow",
    ("her2_category", "zero"): "HER2-0 (null, no staining)",
    ("her2_category", "zero-unspecified"): "HER2 IHC 0 (ultralow vs null not stated)",
    ("her2_category", "equivocal"): "HER2 equivocal (IHC 2+, ISH not done yet)",
    ("her2_category", "negative-unscored"): "HER2-negative with no IHC score",
    ("hr_status", "positive"): "hormone-receptor-positive",
    ("hr_status", "er-low"): "ER-low positive",
    ("hr_status", "negative"): "hormone-receptor-negative",
    ("setting", "in-situ"): "non-invasive (stage 0)",
    ("setting", "early"): "early (stage I-II)",
    ("setting", "locally-advanced"): "locally advanced (stage III)",
    ("setting", "metastatic"): "metastatic (stage IV)",
    ("menopausal_status", "pre"): "before menopause",
    ("menopausal_status", "peri"): "around menopause",
    ("menopausal_status", "post"): "after menopause",
    **{(gene, "not-detected"): "not detected" for gene in ("esr1", "pik3ca", "akt1", "pten")},
    ("pi3k_pathway", "altered"): "a change found",
    ("pi3k_pathway", "not-altered"): "no change found",
}
