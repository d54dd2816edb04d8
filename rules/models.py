"""Screening rules: the shape of a rule file, a loaded rule set, and a screening result.

The pydantic models check one file's shape; `rules.loader` then resolves each rule's
condition against the form so that a bad rule fails at start-up, never on a submission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

from questions import Condition, Problem
from questions.models import Identifier

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=60)]
"""e.g. RF-knee-fracture: letters, digits, '-' and '_' (safe in exports and spreadsheets)."""

Scalar = bool | int | float | str


def _param_value(value: Any) -> Any:
    """One plain message instead of one per member of the union."""
    scalar = (bool, int, float, str)
    if isinstance(value, scalar) or (
        isinstance(value, list) and value and all(isinstance(v, scalar) for v in value)
    ):
        return value
    raise PydanticCustomError(
        "param_value", "a parameter must be a number, true/false, a code or a list of codes"
    )


ParamValue = Annotated[Scalar | list[Scalar], PlainValidator(_param_value)]
"""A threshold (18, 40.5), a code ('yes') or a list of codes ([knee_left, knee_right])."""


class Level(StrEnum):
    """Outcome levels, most severe first (the order of the members is the severity)."""

    URGENT = "urgent"
    EXCLUDE = "exclude"
    REVIEW = "review"
    CANDIDATE = "candidate"

    @property
    def severity(self) -> int:
        """0 for urgent, growing as the level gets milder."""
        return list(Level).index(self)


class _Strict(BaseModel):
    """Unknown keys are errors, so a typo in the rule file is reported, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleDefinition(_Strict):
    id: RuleId
    level: str
    """Checked against `Level` by the loader, so a typo gets a 'did you mean'."""
    when: str = Field(min_length=1)
    params: dict[Identifier, ParamValue] = Field(default_factory=dict)
    note: str = Field(min_length=1)
    """For the clinician; stored with the submission when the rule fires."""
    source: str = Field(min_length=1)
    """The reference the rule comes from."""


class RuleFile(_Strict):
    description: str = Field(min_length=1)
    rules: list[RuleDefinition] = Field(min_length=1)


@dataclass(frozen=True)
class Rule:
    """A checked rule with its condition compiled once."""

    id: str
    level: Level
    when: Condition
    params: dict[str, Any]
    note: str
    source: str


@dataclass(frozen=True)
class RuleSet:
    """Rules in severity order, then file order (the order they are reported in)."""

    description: str
    version: str
    rules: tuple[Rule, ...]
    file: str = ""
    warnings: tuple[Problem, ...] = ()
    urgent: tuple[Rule, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.rules, key=lambda r: r.level.severity))  # stable: file order
        object.__setattr__(self, "rules", ordered)
        object.__setattr__(self, "urgent", tuple(r for r in ordered if r.level is Level.URGENT))

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired, with the facts from the patient's answers that made it fire."""

    id: str
    level: Level
    note: str
    source: str
    explanation: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level.value,
            "note": self.note,
            "source": self.source,
            "explanation": list(self.explanation),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FiredRule:
        return cls(
            data["id"],
            Level(data["level"]),
            data["note"],
            data["source"],
            list(data["explanation"]),
        )


@dataclass(frozen=True)
class Screening:
    """The outcome of one submission: stored with it, with the rules version used."""

    outcome: Level
    rules_version: str
    fired: list[FiredRule]

    @property
    def rule_ids(self) -> list[str]:
        return [f.id for f in self.fired]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "rules_version": self.rules_version,
            "fired": [f.to_json() for f in self.fired],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Screening:
        return cls(
            Level(data["outcome"]),
            data["rules_version"],
            [FiredRule.from_json(f) for f in data["fired"]],
        )
