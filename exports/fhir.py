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

__all__ = [
    "ResponseBuilder",
    "questionnaire_resource",
    "response_resource",
    "write_bundle",
    "write_questionnaire",
]


class ResponseBuilder:
    """Builds QuestionnaireResponses for one form; texts and codings are prepared once."""

    def __init__(self, form: Form, lang: str = "en") -> None:
        self.form = form
        self.lang = lang
        self.pages = [
            (page.id, text(page.title, lang),
             [(q, text(q.label, lang), self._codings(q)) for q in page.questions])
            for page in form.pages
        ]
        self.calculated = [(c.id, text(c.label, lang), calculated_type(form, c.id))
                           for c in form.calculated]

    def _codings(self, question: Question) -> dict[str, dict[str, Any]]:
        if not question.choices:
            return {}
        return {c.code: coding(self.form, question, c.code, self.lang)
                for c in self.form.choices(question)}

    def answers(self, question: Question, codings: dict[str, dict[str, Any]],
                value: Any) -> list[dict[str, Any]]:
        """The FHIR answers of one stored value (empty when there is nothing to say)."""
        if value is None or value == "" or value == []:
            return []
        kind = question.type
        if kind is QuestionType.SELECT_MULTIPLE or kind is QuestionType.SELECT_ONE:
            codes = value if isinstance(value, list) else [value]
            return [{"valueCoding": codings.get(c) or coding(self.form, question, str(c))}
                    for c in codes]
        if kind is QuestionType.CHECKBOX and isinstance(value, bool):
            return [{"valueBoolean": value}]
        if kind is QuestionType.INTEGER and isinstance(value, int) and not isinstance(value, bool):
            return [{"valueInteger": value}]
        if kind is QuestionType.DATE:
            return [{"valueDate": str(value)}]
        return [{"valueString": str(value)}]

    def items(self, record: Record) -> list[dict[str, Any]]:
        answers: Mapping[str, Any] = record.get("answers") or {}
        groups = []
        for page_id, title, questions in self.pages:
            items = []
            for question, label, codings in questions:
                given = self.answers(question, codings, answers.get(question.id))
                if given:
                    items.append({"linkId": question.id, "text": label, "answer": given})
            if items:
                groups.append({"linkId": page_id, "text": title, "item": items})
        calculated: Mapping[str, Any] = record.get("calculated") or {}
        calc_items = []
        for calc_id, label, kind in self.calculated:
            answer = calculated_answer(kind, calculated.get(calc_id))
            if answer is not None:
                calc_items.append({"linkId": calc_id, "text": label, "answer": [answer]})
        if calc_items:
            groups.append({"linkId": CALCULATED_GROUP, "text": CALCULATED_TITLE,
                           "item": calc_items})
        return groups

    def resource(self, record: Record) -> dict[str, Any]:
        """One stored submission as a QuestionnaireResponse (JSON-ready dict)."""
        version = record.get("form_version") or self.form.version
        resource: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": fhir_id(str(record["id"])),
            "identifier": {"system": reference_system(self.form),
                           "value": str(record["reference"])},
            "questionnaire": f"{self.form.definition.canonical_url}|{version}",
            "status": "completed",
            "authored": iso_utc(record["submitted_at"]),
        }
        items = self.items(record)
        if items:
            resource["item"] = items
        return resource


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


def response_resource(form: Form, record: Record, lang: str = "en") -> dict[str, Any]:
    """One stored submission as a QuestionnaireResponse (for a single record; see write_bundle)."""
    return ResponseBuilder(form, lang).resource(record)


BUNDLE_OPEN = '{"resourceType": "Bundle", "type": "collection"'


def write_bundle(records: Iterable[Record], form: Form, out: TextIO, lang: str = "en") -> int:
    """Stream a Bundle of QuestionnaireResponses, one entry per line; return the count."""
    builder = ResponseBuilder(form, lang)
    out.write(BUNDLE_OPEN)
    count = 0
    for record in records:
        entry = {
            "fullUrl": f"urn:uuid:{record['id']}",
            "resource": builder.resource(record),
        }
        # FHIR JSON forbids an empty array, so "entry" opens only with the first one.
        out.write(',\n "entry": [\n  ' if count == 0 else ",\n  ")
        out.write(json.dumps(entry, ensure_ascii=False))
        count += 1
    out.write("\n ]}\n" if count else "}\n")
    return count
