"""The loaded questionnaire: definition plus compiled conditions and lookup tables.

Built once by `questions.loader.load_form` and shared (Streamlit caches it); immutable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from questions.compiled import Condition
from questions.condition_check import FieldSpec
from questions.models import (
    Calculated,
    Choice,
    FormDefinition,
    Page,
    Question,
    QuestionType,
)

CALCULATED_KINDS = {"age_years": "integer", "bmi_imperial": "decimal", "condition": "boolean"}


def field_spec(question: Question, choice_lists: Mapping[str, list[Choice]]) -> FieldSpec:
    """How conditions see a question: its kind and, for choices, its codes."""
    if question.type is QuestionType.CHECKBOX:
        return FieldSpec("boolean")
    if question.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
        codes = tuple(c.code for c in choice_lists.get(question.choices or "", []))
        return FieldSpec(question.type.value, codes)
    return FieldSpec(question.type.value)


@dataclass(frozen=True)
class Form:
    definition: FormDefinition
    relevance: dict[str, Condition]
    calculations: dict[str, Condition]
    source: str = ""
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    _by_id: dict[str, Question] = field(init=False, repr=False)
    _page_of: dict[str, Page] = field(init=False, repr=False)
    _dates: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pages = self.definition.pages
        object.__setattr__(self, "_by_id", {q.id: q for q in self.definition.questions()})
        object.__setattr__(self, "_page_of", {q.id: p for p in pages for q in p.questions})
        dates = [q.id for q in self.definition.questions() if q.type is QuestionType.DATE]
        object.__setattr__(self, "_dates", tuple(dates))

    @property
    def form_id(self) -> str:
        return self.definition.form_id

    @property
    def version(self) -> int:
        return self.definition.version

    @property
    def pages(self) -> list[Page]:
        return self.definition.pages

    @property
    def calculated(self) -> list[Calculated]:
        return self.definition.calculated

    def questions(self) -> list[Question]:
        return self.definition.questions()

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def page_of(self, question_id: str) -> Page:
        return self._page_of[question_id]

    def choices(self, question: Question) -> list[Choice]:
        return self.definition.choice_lists[question.choices or ""]

    def choice_label(self, question: Question, code: str, lang: str = "en") -> str:
        for choice in self.choices(question):
            if choice.code == code:
                return text(choice.label, lang)
        return code

    @property
    def calculation_inputs(self) -> frozenset[str]:
        """Question ids that calculated fields read: only these need a recalculation."""
        names: set[str] = set()
        for calc in self.definition.calculated:
            names |= set(calc.inputs.values())
            if calc.id in self.calculations:
                names |= self.calculations[calc.id].names
        return frozenset(names)

    def typed(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """Stored JSON answers as conditions see them: date answers become dates."""
        out = dict(answers)
        for question_id in self._dates:
            value = out.get(question_id)
            if isinstance(value, str):
                out[question_id] = dt.date.fromisoformat(value)
        return out

    def is_relevant(self, question_id: str, values: Mapping[str, Any]) -> bool:
        condition = self.relevance.get(question_id)
        return condition is None or condition(values)


def text(value: Mapping[str, str] | None, lang: str = "en") -> str:
    """Text in the wanted language, falling back to English."""
    if not value:
        return ""
    return value.get(lang) or value.get("en") or next(iter(value.values()))
