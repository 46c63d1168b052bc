"""The rule-file loader the field extractors share: good files load, bad ones fail with their name and key."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest

from extract.extractors._rules import Regex, RuleFile, load_rules
from navis.errors import ConfigError


class Sample(RuleFile):
    pattern: Regex
    words: list[str]


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "sample.yaml").write_text(body, encoding="utf-8")
    return tmp_path


def test_fragments_are_substituted_and_compiled(tmp_path: Path) -> None:
    directory = write(tmp_path, "source: test\ndefs:\n  num: '[0-9]+'\npattern: 'grade {{num}}'\nwords: [a]\n")
    rules = load_rules("sample", Sample, directory)
    assert rules.pattern.search("Nottingham grade 2")
    assert not rules.pattern.search("grade two")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("source: test\npattern: '(unclosed'\nwords: []\n", "key pattern"),
        ("source: test\npattern: 'x'\n", "key words"),
        ("pattern: 'x'\nwords: []\n", "key source"),
        ("source: test\npattern: 'x'\nwords: []\nsurprise: 1\n", "key surprise"),
        ("source: test\npattern: '{{nowhere}}'\nwords: []\n", "nowhere"),
        ("source: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_file_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    directory = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_rules("sample", Sample, directory)
    assert "sample.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.yaml"):
        load_rules("absent", Sample, tmp_path)


@pytest.mark.parametrize("name", ["tnm", "stage", "grade", "histology", "genomics", "misc"])
def test_shipped_rule_files_load(name: str) -> None:
    module = import_module(f"extract.extractors.{name}")
    assert list(module.find("")) == []
