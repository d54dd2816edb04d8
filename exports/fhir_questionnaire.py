"""The questionnaire as a FHIR R4 Questionnaire resource (validated by the tests with R4B models).

Items: one `group` per page (linkId = page id), a question item per question (linkId =
question id), then a read-only group of the calculated fields so that a response can
carry them and enableWhen can refer to them (e.g. `age`). Choice questions list their
codes as `answerOption.valueCoding`; integers carry the standard minValue / maxValue
extensions; text carries maxLength. Hints are not exported (FHIR has no plain hint field;
the data dictionary's Field Note has them).

Relevance becomes enableWhen where exactly expressible (see `exports.fhir_enable_when`).
Every item with a relevance condition also carries it verbatim in the extension
`<canonical_url>/StructureDefinition/relevant`, so nothing is lost where enableWhen is
omitted (a renderer then shows the item always).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from exports.fhir_codes import (
    CALCULATED_GROUP,
    CALCULATED_TITLE,
    calculated_type,
    code_system,
    coding,
    fhir_id,
    item_type,
    relevance_extension_url,
    resource_name,
    title,
)
from exports.fhir_enable_when import enable_when
from questions.form import Form, text
from questions.models import Question, QuestionType

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"


def question_item(form: Form, question: Question, lang: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id, "text": text(question.label, lang),
                            "type": item_type(question)}
    extensions = []
    if question.type is QuestionType.INTEGER:
        if question.min is not None:
            extensions.append({"url": MIN_VALUE, "valueInteger": question.min})
        if question.max is not None:
            extensions.append({"url": MAX_VALUE, "valueInteger": question.max})
    relevance = form.relevance.get(question.id)
    if relevance is not None:
        extensions.append({"url": relevance_extension_url(form), "valueString": relevance.source})
        gate = enable_when(relevance.node, form, lambda qid, code: _answer_coding(form, qid, code))
        if gate is not None:
            item["enableWhen"] = list(gate.conditions)
            if gate.behavior:
                item["enableBehavior"] = gate.behavior
    if extensions:
        item = {"extension": extensions, **item}
    if question.required:
        item["required"] = True
    if question.type is QuestionType.SELECT_MULTIPLE:
        item["repeats"] = True
    if question.type is QuestionType.TEXT and question.max_length:
        item["maxLength"] = question.max_length
    if question.choices:
        item["answerOption"] = [{"valueCoding": coding(form, question, c.code, lang)}
                                for c in form.choices(question)]
    return item


def _answer_coding(form: Form, question_id: str, code: str) -> dict[str, Any]:
    question = form.question(question_id)
    return {"system": code_system(form, question.choices or ""), "code": code}


def calculated_group(form: Form, lang: str) -> dict[str, Any]:
    items = [
        {"linkId": calc.id, "text": text(calc.label, lang),
         "type": calculated_type(form, calc.id), "readOnly": True}
        for calc in form.calculated
    ]
    return {"linkId": CALCULATED_GROUP, "text": CALCULATED_TITLE, "type": "group", "item": items}


def questionnaire_resource(form: Form, lang: str = "en") -> dict[str, Any]:
    """The Questionnaire as a JSON-ready dict."""
    groups = [
        {"linkId": page.id, "text": text(page.title, lang), "type": "group",
         "item": [question_item(form, q, lang) for q in page.questions]}
        for page in form.pages
    ]
    if form.calculated:
        groups.append(calculated_group(form, lang))
    return {
        "resourceType": "Questionnaire",
        "id": fhir_id(form.form_id),
        "url": form.definition.canonical_url,
        "version": str(form.version),
        "name": resource_name(form),
        "title": title(form, lang),
        "status": "active",
        "subjectType": ["Patient"],
        "language": lang,
        "item": groups,
    }


def write_questionnaire(form: Form, out: TextIO, lang: str = "en") -> int:
    """Write the Questionnaire as indented JSON; return 1 (one resource)."""
    json.dump(questionnaire_resource(form, lang), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 1
