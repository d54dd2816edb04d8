"""The rule file, the clinical spec and the engine tests agree with one another."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from test_rules_engine import CASES

from questions import load_form
from rules import RuleSet, load_rules

SPEC = Path(__file__).parent.parent / "docs" / "clinical-content.md"


def spec_rules() -> dict[str, str]:
    """rule id -> level, from the table in the spec's "Screening rules" section."""
    section = SPEC.read_text(encoding="utf-8").split("## Screening rules", 1)[1].split("\n## ")[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| ")]
    found = {rid.strip(): level.strip() for rid, level in rows}
    found.pop("rule id", None)  # header row
    return found


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules(load_form())


def test_spec_table_is_read() -> None:
    assert len(spec_rules()) == 27


def test_rule_file_and_spec_have_the_same_rules_at_the_same_levels(ruleset: RuleSet) -> None:
    assert {r.id: r.level.value for r in ruleset.rules} == spec_rules()


def test_every_rule_has_a_case_where_it_fires_and_one_where_it_does_not(
    ruleset: RuleSet,
) -> None:
    fires = {c.rule for c in CASES if c.rule in c.fired}
    holds_back = {c.rule for c in CASES if c.rule not in c.fired}
    assert set(ruleset.ids) - fires == set()
    assert set(ruleset.ids) - holds_back == set()
    assert {c.rule for c in CASES} <= set(ruleset.ids)  # no case about a rule that is gone


def test_a_parameter_shared_by_rules_has_one_value(ruleset: RuleSet) -> None:
    values: dict[str, dict[str, Any]] = defaultdict(dict)
    for rule in ruleset.rules:
        for name, value in rule.params.items():
            values[name][rule.id] = value
    differing = {n: v for n, v in values.items() if len({repr(x) for x in v.values()}) > 1}
    assert differing == {}


def test_no_threshold_is_written_as_a_number_in_a_condition(ruleset: RuleSet) -> None:
    numbers = {r.id: re.findall(r"(?<![\w'$])\d+(?:\.\d+)?", r.when.source) for r in ruleset.rules}
    assert {rid: found for rid, found in numbers.items() if found} == {}
