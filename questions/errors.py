"""One catalogue of definition problems; each says where, what is wrong and how to fix it.

Tests build the expected text from this catalogue, so a message is changed in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Msg(Enum):
    """(what is wrong, how to fix it) templates, filled with str.format."""

    YAML_UNREADABLE = ("the file is not valid YAML ({detail})", "check indentation and quotes")
    FILE_MISSING = ("the file does not exist", "create it or set the right path")
    NOT_A_MAPPING = ("the file must hold a mapping at the top", "start with 'form_id: ...'")
    FIELD_INVALID = ("{field}: {detail}", "{fix}")
    FIELD_UNKNOWN = ("unknown key '{field}'{suggestion}", "remove it or correct its spelling")
    FIELD_MISSING = ("'{field}' is missing", "add '{field}:'")
    DUPLICATE_ID = ("the id '{id}' is used more than once", "give every {kind} its own id")
    UNKNOWN_CHOICE_LIST = (
        "choice list '{name}' does not exist{suggestion}",
        "use one of the lists under choice_lists",
    )
    CHOICES_ON_WRONG_TYPE = (
        "'{field}' only applies to {types} questions",
        "remove it or change the question type",
    )
    CHOICES_MISSING = ("a {type} question needs 'choices'", "name a list from choice_lists")
    CODE_NOT_STRING = (
        "choice code {code!r} in list '{list}' is not text",
        'quote it: code: "{code_text}" (YAML reads bare yes/no/on/off as true/false)',
    )
    DUPLICATE_CODE = ("choice code '{code}' appears twice in list '{list}'", "remove one")
    UNKNOWN_CODE = (
        "'{code}' is not a code of {where}{suggestion}",
        "use one of: {codes}",
    )
    MISSING_TRANSLATION = (
        "{field} has no text for language '{lang}'",
        "add '{lang}: ...' under {field}",
    )
    CONDITION_SYNTAX = (
        "{field} cannot be read: {detail} at character {position} in: {source}",
        "see the condition grammar in the README",
    )
    UNKNOWN_NAME = (
        "{field} refers to unknown question '{name}'{suggestion}",
        "use a question id or calculated field defined in the form",
    )
    LATER_QUESTION = (
        "{field} refers to '{name}', which is asked later in the form",
        "only refer to questions asked before this one",
    )
    TYPE_MISMATCH = ("{field}: {detail}", "{fix}")
    UNKNOWN_PARAM = (
        "{field} uses parameter '${name}', which is not defined{suggestion}",
        "add it under params",
    )
    BAD_RANGE = ("min {min} is greater than max {max}", "swap or correct the limits")
    UNKNOWN_REFERENCE = (
        "'{field}' refers to unknown question '{name}'{suggestion}",
        "use a question id defined in the form",
    )
    WRONG_REFERENCE_TYPE = (
        "'{field}' must name a {expected} question, but '{name}' is {actual}",
        "name a {expected} question",
    )
    # Screening-rule files (rules/)
    RULES_NOT_A_MAPPING = (
        "the rule file must hold a mapping at the top",
        "start with 'description: ...' and then 'rules:'",
    )
    UNKNOWN_LEVEL = (
        "level '{level}' is not a screening level{suggestion}",
        "use one of: {levels}",
    )
    UNUSED_PARAM = (
        "parameter '{name}' is defined but never used in 'when'",
        "use it as ${name} in 'when' or remove it from params",
    )

    def render(self, **values: object) -> tuple[str, str]:
        what, fix = self.value
        return what.format(**values), fix.format(**values)


@dataclass(frozen=True)
class Problem:
    """One problem in a definition file, pinned to the item it is about."""

    file: str
    item: str
    what: str
    fix: str
    warning: bool = False

    @classmethod
    def of(cls, msg: Msg, file: str, item: str, **values: object) -> Problem:
        what, fix = msg.render(**values)
        return cls(file, item, what, fix)

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        return f"{self.file}: {self.item}: {kind}: {self.what}. Fix: {self.fix}."


class DefinitionError(Exception):
    """A definition with problems; carries all of them so they are reported together."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
