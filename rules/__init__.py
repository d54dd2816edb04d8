"""Screening rules as data: load a rule file, screen a patient's answers, explain why."""

from rules.commands import screen_document
from rules.engine import firing, outcome_of, screen, urgent_rules
from rules.loader import DEFAULT_RULES, load_rules, rules_version
from rules.models import FiredRule, Level, Rule, RuleSet, Screening

__all__ = [
    "DEFAULT_RULES",
    "FiredRule",
    "Level",
    "Rule",
    "RuleSet",
    "Screening",
    "firing",
    "load_rules",
    "outcome_of",
    "rules_version",
    "screen",
    "screen_document",
    "urgent_rules",
]
