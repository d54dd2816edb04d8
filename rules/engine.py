"""Run a loaded rule set over one patient's values and say which rules fired, and why.

`values` are the typed, relevant answers plus the calculated fields
(`{**valid.values, **valid.calculated}`): answers to hidden questions have already been
dropped by `AnswerValidator`, and a condition on an unanswered question is false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rules.models import FiredRule, Level, Rule, RuleSet, Screening


def screen(ruleset: RuleSet, values: Mapping[str, Any]) -> Screening:
    """The most severe level among the rules that fire (`candidate` when none fires)."""
    fired = firing(ruleset, values)
    return Screening(outcome_of(fired), ruleset.version, _explained(fired, values))


def firing(ruleset: RuleSet, values: Mapping[str, Any]) -> list[Rule]:
    """The rules that fire, most severe first, without their explanations.

    A rescreen compares these with what is stored and explains only what changed (the
    explanations are a third of the cost of a screening).
    """
    # `when.predicate`, not `when(...)`: one Python call less per rule, and every rule is
    # evaluated on every submission (a rescreen runs 27 rules × 100,000 submissions).
    return [rule for rule in ruleset.rules if rule.when.predicate(values)]


def outcome_of(fired: Sequence[Rule]) -> Level:
    """The level of the most severe rule that fired (rules are in severity order)."""
    return fired[0].level if fired else Level.CANDIDATE


def urgent_rules(ruleset: RuleSet, values: Mapping[str, Any]) -> list[FiredRule]:
    """Urgent rules that fire on the answers so far: the wizard interrupts after each page."""
    return _explained([rule for rule in ruleset.urgent if rule.when.predicate(values)], values)


def _explained(rules: Iterable[Rule], values: Mapping[str, Any]) -> list[FiredRule]:
    return [
        FiredRule(rule.id, rule.level, rule.note, rule.source, rule.when.explain(values))
        for rule in rules
    ]
