"""Names the FHIR exports share: code systems, identifiers, item types, the calculated group.

Everything is derived from the form's `canonical_url`, so a clinic that publishes its
questionnaire under its own URL gets matching code systems without code changes.
"""

from __future__ import annotations

import re
from typing import Any

from questions.form import CALCULATED_KINDS, Form, text
from questions.models import Question, QuestionType

CALCULATED_GROUP = "calculated"
"""linkId of the group holding the calculated fields (read-only items)."""
CALCULATED_TITLE = "Calculated at submission"

ITEM_TYPES = {
    QuestionType.INTEGER: "integer",
    QuestionType.DATE: "date",
    QuestionType.SELECT_ONE: "choice",
    QuestionType.SELECT_MULTIPLE: "choice",
    QuestionType.CHECKBOX: "boolean",
}
CALCULATED_TYPES = {"integer": "integer", "decimal": "decimal", "boolean": "boolean"}


def item_type(question: Question) -> str:
    if question.type is QuestionType.TEXT:
        return "text" if question.multiline else "string"
    return ITEM_TYPES[question.type]


def calculated_type(form: Form, calc_id: str) -> str:
    calc = next(c for c in form.calculated if c.id == calc_id)
    return CALCULATED_TYPES[CALCULATED_KINDS[calc.kind.value]]


def code_system(form: Form, list_name: str) -> str:
    """One CodeSystem per choice list: <canonical_url>/CodeSystem/<list>."""
    return f"{form.definition.canonical_url}/CodeSystem/{list_name}"


def relevance_extension_url(form: Form) -> str:
    """Extension carrying a relevance condition verbatim (whether or not enableWhen has it)."""
    return f"{form.definition.canonical_url}/StructureDefinition/relevant"


def reference_system(form: Form) -> str:
    """Identifier system of the short reference codes given to patients."""
    return f"{form.definition.canonical_url}/submission-reference"


FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def fhir_id(value: str) -> str:
    """A FHIR resource id allows letters, digits, '-' and '.' only (no '_'), up to 64."""
    if FHIR_ID.fullmatch(value):
        return value
    return "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "-" for c in value)[:64]


def resource_name(form: Form) -> str:
    """A computer-friendly name: ProlotherapyIntake for prolotherapy_intake."""
    return "".join(part.capitalize() for part in form.form_id.split("_"))


def coding(form: Form, question: Question, code: str, lang: str = "en") -> dict[str, Any]:
    return {
        "system": code_system(form, question.choices or ""),
        "code": code,
        "display": form.choice_label(question, code, lang),
    }


def title(form: Form, lang: str = "en") -> str:
    return text(form.definition.title, lang)
