"""Pydantic models of the questionnaire definition (the YAML in this folder).

The models check the shape of one file; cross-references (choice lists, relevance
conditions, question ids) are checked by `questions.checks` so that every problem in a
definition can be reported together.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
"""Question, page and choice-list ids: lower case, digits and underscores (REDCap-safe)."""

ChoiceCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=60)]

Text = dict[str, str]
"""Translatable text keyed by language code, e.g. {"en": "First name"}."""


class Strict(BaseModel):
    """Definition models refuse unknown keys so that a typo in the YAML is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class QuestionType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    CHECKBOX = "checkbox"


class TextFormat(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


class Choice(Strict):
    code: ChoiceCode
    label: Text


class Question(Strict):
    id: Identifier
    type: QuestionType
    label: Text
    hint: Text | None = None
    required: bool = False
    identifier: bool = False
    """Identifies the patient (HIPAA identifier); exports and the dictionary flag it."""
    relevant: str | None = None
    """Condition (see `questions.conditions`); the question is shown only when it holds."""

    # select_one / select_multiple
    choices: Identifier | None = None
    """Name of a choice list."""
    choice_filter: Identifier | None = None
    """Offer only the codes the patient picked in this select_multiple question."""
    auto_single_choice: bool = False
    """With choice_filter: when only one code is left it is the answer, without asking."""
    exclusive: list[ChoiceCode] = Field(default_factory=list)
    """select_multiple codes that cannot be combined with any other code (e.g. none)."""

    # text
    max_length: int | None = Field(default=None, gt=0)
    multiline: bool = False
    format: TextFormat | None = None
    autocomplete: str | None = Field(default=None, pattern=r"^[a-z][a-z-]*$")
    """HTML autocomplete token (e.g. given-name), so phones can fill it (WCAG 1.3.5)."""
    must_match: list[Identifier] = Field(default_factory=list)
    """Text questions whose values, joined by a space, this answer must equal (signature)."""

    # integer
    min: int | None = None
    max: int | None = None
    widget: str | None = None
    """UI hint: "scale" shows an integer range as a row of buttons."""

    # date
    not_future: bool = False
    max_years_ago: int | None = Field(default=None, ge=0)

    # checkbox
    must_be_checked: bool = False


class Page(Strict):
    id: Identifier
    title: Text
    intro: Text | None = None
    questions: list[Question]


class CalculatedKind(StrEnum):
    AGE_YEARS = "age_years"
    BMI_IMPERIAL = "bmi_imperial"
    CONDITION = "condition"


class Calculated(Strict):
    """A field computed from answers; stored, screened and exported beside them."""

    id: Identifier
    kind: CalculatedKind
    label: Text
    inputs: dict[str, Identifier] = Field(default_factory=dict)
    """For age_years: {date: <date question>}; for bmi_imperial: {feet, inches, pounds}."""
    condition: str | None = None
    """For kind condition: true when the condition holds."""


class FormDefinition(Strict):
    form_id: Identifier
    version: int = Field(ge=1)
    title: Text
    canonical_url: str
    languages: list[str] = Field(min_length=1)
    choice_lists: dict[Identifier, list[Choice]]
    pages: list[Page] = Field(min_length=1)
    calculated: list[Calculated] = Field(default_factory=list)

    def questions(self) -> list[Question]:
        """All questions in form order."""
        return [q for page in self.pages for q in page.questions]
