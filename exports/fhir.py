"""Submissions as a FHIR R4 Bundle (type collection) of QuestionnaireResponse resources.

Each response: id = submission id, identifier = the patient's reference code, status
completed, authored = submitted_at (UTC), questionnaire = canonical URL `|` version (the
version the patient answered). Items mirror the Questionnaire (`exports.fhir_questionnaire`):
a group per page, then the calculated group; only answered questions appear (FHIR forbids
items without answers), and a group with no answered question is left out. Answers are
valueString (text), valueInteger, valueDate, valueBoolean (checkbox) and valueCoding
(choices; a multi-select gives one answer per code).

The Bundle is written as it streams: the JSON opening, then each entry as its record
arrives, then the closing — never a list of every resource in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from exports.columns import Record, iso_utc
from exports.fhir_codes import (
    CALCULATED_GROUP,
    CALCULATED_TITLE,
    calculated_type,
    coding,
    fhir_id,
    reference_system,
)
from exports.fhir_questionnaire import questionnaire_resource, write_questionnaire
from questions.form import Form, text
from questions.models import Question, QuestionType

__all__ = ["questionnaire_resource", "response_resource", "write_bundle", "write_questionnaire"]


def answers_of(form: Form, question: Question, value: Any, lang: str) -> list[dict[str, Any]]:
    """The FHIR answers of one stored value (empty when there is nothing to say)."""
    if value is None or value == "" or value == []:
        return []
    kind = question.type
    if kind is QuestionType.SELECT_MULTIPLE:
        codes = value if isinstance(value, list) else [value]
        return [{"valueCoding": coding(form, question, str(c), lang)} for c in codes]
    if kind is QuestionType.SELECT_ONE:
        return [{"valueCoding": coding(form, question, str(value), lang)}]
    if kind is QuestionType.CHECKBOX and isinstance(value, bool):
        return [{"valueBoolean": value}]
    if kind is QuestionType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
        return [{"valueInteger": value}]
    if kind is QuestionType.DATE:
        return [{"valueDate": str(value)}]
    return [{"valueString": str(value)}]


def calculated_answer(kind: str, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if kind == "boolean" and isinstance(value, bool):
        return {"valueBoolean": value}
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return {"valueInteger": value}
    if kind == "decimal" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def response_items(form: Form, record: Record, lang: str) -> list[dict[str, Any]]:
    answers: Mapping[str, Any] = record.get("answers") or {}
    groups = []
    for page in form.pages:
        items = []
        for question in page.questions:
            given = answers_of(form, question, answers.get(question.id), lang)
            if given:
                items.append({"linkId": question.id, "text": text(question.label, lang),
                              "answer": given})
        if items:
            groups.append({"linkId": page.id, "text": text(page.title, lang), "item": items})
    calculated: Mapping[str, Any] = record.get("calculated") or {}
    calc_items = []
    for calc in form.calculated:
        answer = calculated_answer(calculated_type(form, calc.id), calculated.get(calc.id))
        if answer is not None:
            calc_items.append({"linkId": calc.id, "text": text(calc.label, lang),
                               "answer": [answer]})
    if calc_items:
        groups.append({"linkId": CALCULATED_GROUP, "text": CALCULATED_TITLE, "item": calc_items})
    return groups


def response_resource(form: Form, record: Record, lang: str = "en") -> dict[str, Any]:
    """One stored submission as a QuestionnaireResponse (JSON-ready dict)."""
    version = record.get("form_version") or form.version
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": fhir_id(str(record["id"])),
        "identifier": {"system": reference_system(form), "value": str(record["reference"])},
        "questionnaire": f"{form.definition.canonical_url}|{version}",
        "status": "completed",
        "authored": iso_utc(record["submitted_at"]),
    }
    items = response_items(form, record, lang)
    if items:
        resource["item"] = items
    return resource


BUNDLE_OPEN = '{"resourceType": "Bundle", "type": "collection"'


def write_bundle(records: Iterable[Record], form: Form, out: TextIO, lang: str = "en") -> int:
    """Stream a Bundle of QuestionnaireResponses, one entry per line; return the count."""
    out.write(BUNDLE_OPEN)
    count = 0
    for record in records:
        entry = {
            "fullUrl": f"urn:uuid:{record['id']}",
            "resource": response_resource(form, record, lang),
        }
        # FHIR JSON forbids an empty array, so "entry" opens only with the first one.
        out.write(',\n "entry": [\n  ' if count == 0 else ",\n  ")
        out.write(json.dumps(entry, ensure_ascii=False))
        count += 1
    out.write("\n ]}\n" if count else "}\n")
    return count
