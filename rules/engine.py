"""Run a loaded rule set over one patient's values and say which rules fired, and why.

`values` are the typed, relevant answers plus the calculated fields
(`{**valid.values, **valid.calculated}`): answers to hidden questions have already been
dropped by `AnswerValidator`, and a condition on an unanswered question is false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rules.models import FiredRule, Level, Rule, RuleSet, Screening


def screen(ruleset: RuleSet, values: Mapping[str, Any]) -> Screening:
    """The most severe level among the rules that fire (`candidate` when none fires)."""
    fired = _fire(ruleset.rules, values)
    outcome = fired[0].level if fired else Level.CANDIDATE  # rules are in severity order
    return Screening(outcome, ruleset.version, fired)


def urgent_rules(ruleset: RuleSet, values: Mapping[str, Any]) -> list[FiredRule]:
    """Urgent rules that fire on the answers so far: the wizard interrupts after each page."""
    return _fire(ruleset.urgent, values)


def _fire(rules: Iterable[Rule], values: Mapping[str, Any]) -> list[FiredRule]:
    # `when.predicate`, not `when(...)`: one Python call less per rule, and every rule is
    # evaluated on every submission (a rescreen runs 27 rules × 100,000 submissions).
    return [
        FiredRule(rule.id, rule.level, rule.note, rule.source, rule.when.explain(values))
        for rule in rules
        if rule.when.predicate(values)
    ]
