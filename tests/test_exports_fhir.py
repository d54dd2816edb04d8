"""FHIR R4: the Questionnaire and the Bundle of QuestionnaireResponses, validated with
fhir.resources (R4B models), and checked against each other item by item."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import Engine

from exports import export_bytes, questionnaire_resource
from exports.fhir_enable_when import enable_when
from intake_pipeline import Intake
from questions import Form, compile_condition
from questions.synthetic import synthetic_answers
from storage import SubmissionStore
from storage.queries import SubmissionFilter

CANONICAL = "https://example.org/fhir/Questionnaire/prolotherapy_intake"
AREAS = f"{CANONICAL}/CodeSystem/areas"
ALL = SubmissionFilter()


def export_json(fmt: str, engine: Engine | None, form: Form) -> dict[str, Any]:
    return json.loads(export_bytes(fmt, engine, form, ALL))  # type: ignore[arg-type]


@pytest.fixture
def submitted(intake: Intake, store: SubmissionStore, valid_answers: dict[str, Any]) -> list[Any]:
    """The candidate baseline, a low-back patient with text to escape, and 8 synthetic ones."""
    at = dt.datetime(2026, 11, 26, 14, 3, tzinfo=dt.UTC)
    low_back = {**valid_answers, "pain_areas": ["knee_right", "low_back"],
                "main_area": "low_back", "saddle_numbness": "no", "bladder_bowel": "no",
                "leg_weakness": "no", "both_legs_pain": "no",
                "goals": '=Walk "far", 🦵\nand dance.'}
    saved = [intake.submit(store, valid_answers, "fhir-a", submitted_at=at),
             intake.submit(store, low_back, "fhir-b", submitted_at=at + dt.timedelta(hours=1))]
    rng = random.Random(11)
    for i in range(8):
        day = at + dt.timedelta(days=i + 1)
        saved.append(intake.submit(store, synthetic_answers(intake.form, rng, day.date()),
                                   f"fhir-syn-{i}", submitted_at=day))
    return saved


# ---- Questionnaire ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def questionnaire(form: Form) -> dict[str, Any]:
    return export_json("fhir-questionnaire", None, form)


def items_by_id(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for group in resource.get("item", []):
        out[group["linkId"]] = group
        for item in group.get("item", []):
            out[item["linkId"]] = item
    return out


def test_the_questionnaire_validates_with_fhir_resources(questionnaire: dict[str, Any]) -> None:
    parsed = Questionnaire.model_validate(questionnaire)
    assert parsed.url == CANONICAL and parsed.version == "2026112601"
    assert parsed.status == "active" and parsed.name == "ProlotherapyIntake"


def test_the_questionnaire_has_a_group_per_page_then_the_calculated_fields(
    questionnaire: dict[str, Any], form: Form
) -> None:
    groups = questionnaire["item"]
    assert [g["linkId"] for g in groups] == [p.id for p in form.pages] + ["calculated"]
    assert all(g["type"] == "group" for g in groups)
    assert [i["linkId"] for g in groups[:-1] for i in g["item"]] == [q.id for q in form.questions()]
    assert groups[0]["text"] == "About you"


@pytest.mark.parametrize(
    "link_id, expected",
    [
        ("first_name", {"type": "string", "required": True, "maxLength": 100}),
        ("goals", {"type": "text", "maxLength": 1000}),
        ("date_of_birth", {"type": "date", "required": True}),
        ("pain_average", {"type": "integer"}),
        ("consent_store", {"type": "boolean", "required": True}),
        ("pain_areas", {"type": "choice", "repeats": True}),
        ("sex_at_birth", {"type": "choice"}),
        ("age", {"type": "integer", "readOnly": True}),
        ("bmi", {"type": "decimal", "readOnly": True}),
    ],
)
def test_items_have_the_right_type_and_constraints(
    questionnaire: dict[str, Any], link_id: str, expected: dict[str, Any]
) -> None:
    item = items_by_id(questionnaire)[link_id]
    assert {key: item.get(key) for key in expected} == expected


def test_choice_items_list_their_codes_as_codings(questionnaire: dict[str, Any]) -> None:
    options = items_by_id(questionnaire)["sex_at_birth"]["answerOption"]
    assert options[3] == {"valueCoding": {"system": f"{CANONICAL}/CodeSystem/sex",
                                          "code": "prefer_not", "display": "Prefer not to say"}}
    assert "repeats" not in items_by_id(questionnaire)["sex_at_birth"]


def test_integer_limits_use_the_standard_extensions(questionnaire: dict[str, Any]) -> None:
    extensions = items_by_id(questionnaire)["height_in"]["extension"]
    base = "http://hl7.org/fhir/StructureDefinition"
    assert {"url": f"{base}/minValue", "valueInteger": 0} in extensions
    assert {"url": f"{base}/maxValue", "valueInteger": 11} in extensions


def coding(system: str, code: str) -> dict[str, str]:
    return {"system": system, "code": code}


@pytest.mark.parametrize(
    "link_id, when, behavior",
    [
        ("pain_other", [{"question": "pain_areas", "operator": "=",
                         "answerCoding": coding(AREAS, "other")}], None),
        ("injury_recent", [{"question": "pain_onset", "operator": "=",
                            "answerCoding": coding(f"{CANONICAL}/CodeSystem/onset", "injury")}],
         None),
        ("knee_locked", [{"question": "pain_areas", "operator": "=",
                          "answerCoding": coding(AREAS, "knee_left")},
                         {"question": "pain_areas", "operator": "=",
                          "answerCoding": coding(AREAS, "knee_right")}], "any"),
        ("treatment_relief", [
            {"question": "treatments_tried", "operator": "exists", "answerBoolean": True},
            {"question": "treatments_tried", "operator": "!=",
             "answerCoding": coding(f"{CANONICAL}/CodeSystem/treatments", "none")}], "all"),
        ("pregnant", [
            {"question": "sex_at_birth", "operator": "exists", "answerBoolean": True},
            {"question": "sex_at_birth", "operator": "!=",
             "answerCoding": coding(f"{CANONICAL}/CodeSystem/sex", "male")},
            {"question": "age", "operator": "<", "answerInteger": 60}], "all"),
        # and-of-or and count() cannot be expressed: no enableWhen, condition kept verbatim
        ("walk_4_steps", None, None),
        ("main_area", None, None),
        ("first_name", None, None),
    ],
)
def test_enable_when_where_expressible(
    questionnaire: dict[str, Any], form: Form, link_id: str, when: Any, behavior: Any
) -> None:
    item = items_by_id(questionnaire)[link_id]
    assert (item.get("enableWhen"), item.get("enableBehavior")) == (when, behavior)
    relevance = form.relevance.get(link_id)
    kept = [e["valueString"] for e in item.get("extension", [])
            if e["url"] == f"{CANONICAL}/StructureDefinition/relevant"]
    assert kept == ([relevance.source] if relevance else [])


@pytest.mark.parametrize(
    "condition, behavior, operators",
    [
        ("pain_average >= 4", None, ["pain_average >= 4"]),
        ("not (pain_average >= 4)", "any", ["pain_average exists False", "pain_average < 4"]),
        ("not (sex_at_birth != 'male')", "any",
         ["sex_at_birth exists False", "sex_at_birth = male"]),
        ("swelling not in ('none', 'mild')", "all",
         ["swelling exists True", "swelling != none", "swelling != mild"]),
        ("not (swelling in ('none', 'mild'))", "all", ["swelling != none", "swelling != mild"]),
        ("not answered(email)", None, ["email exists False"]),
        ("consent_store = true", None, ["consent_store = True"]),
        ("fever = 'yes' or pain_areas has any ('neck', 'other')", "any",
         ["fever = yes", "pain_areas = neck", "pain_areas = other"]),
        ("fever = 'yes' and sex_at_birth != 'male'", "all",
         ["fever = yes", "sex_at_birth exists True", "sex_at_birth != male"]),
        ("fever = 'yes' or sex_at_birth != 'male'", None, None),  # any-of holding an all-of
        ("count(pain_areas) >= 2", None, None),
        ("height_ft = height_in", None, None),
    ],
)
def test_enable_when_translation_is_exact_for_unanswered_questions(
    form: Form, condition: str, behavior: str | None, operators: list[str] | None
) -> None:
    compiled, problems = compile_condition(condition, form.fields)
    assert compiled is not None, problems
    gate = enable_when(compiled.node, form, lambda q, code: {"code": code})
    if operators is None:
        assert gate is None
        return
    assert gate is not None and gate.behavior == behavior
    shown = []
    for entry in gate.conditions:
        value = next(v for k, v in entry.items() if k.startswith("answer"))
        shown.append(f"{entry['question']} {entry['operator']} "
                     f"{value['code'] if isinstance(value, dict) else value}")
    assert shown == operators


# ---- Bundle of responses ---------------------------------------------------------------------


def test_the_bundle_validates_with_fhir_resources(
    engine: Engine, form: Form, submitted: list[Any]
) -> None:
    bundle = Bundle.model_validate(export_json("fhir", engine, form))
    assert bundle.type == "collection" and len(bundle.entry) == len(submitted) == 10
    for entry, saved in zip(bundle.entry, submitted, strict=True):
        response = entry.resource
        assert isinstance(response, QuestionnaireResponse)
        assert response.id == saved.id and entry.fullUrl == f"urn:uuid:{saved.id}"
        assert response.identifier.value == saved.reference
        assert response.status == "completed"
        assert response.questionnaire == f"{CANONICAL}|2026112601"


def test_a_response_carries_typed_answers_grouped_by_page(
    engine: Engine, form: Form, submitted: list[Any]
) -> None:
    bundle = export_json("fhir", engine, form)
    first, second = (e["resource"] for e in bundle["entry"][:2])
    assert first["authored"] == "2026-11-26T14:03:00Z"
    items = items_by_id(first)
    assert items["about_you"]["text"] == "About you"
    assert items["first_name"]["answer"] == [{"valueString": "Maria"}]
    assert items["date_of_birth"]["answer"] == [{"valueDate": "1962-05-14"}]
    assert items["pain_average"]["answer"] == [{"valueInteger": 6}]
    assert items["consent_store"]["answer"] == [{"valueBoolean": True}]
    assert items["main_area"]["answer"] == [
        {"valueCoding": {"system": AREAS, "code": "knee_right", "display": "Right knee"}}]
    assert items["bmi"]["answer"] == [{"valueDecimal": 28.3}]
    assert items["nice_oa_features"]["answer"] == [{"valueBoolean": True}]
    assert "pregnant" not in items and "injury_recent" not in items  # not relevant: no item
    areas = items_by_id(second)["pain_areas"]["answer"]
    assert [a["valueCoding"]["code"] for a in areas] == ["knee_right", "low_back"]
    # FHIR is not a spreadsheet: text is carried as it is, never quoted
    goals = items_by_id(second)["goals"]["answer"]
    assert goals == [{"valueString": '=Walk "far", 🦵\nand dance.'}]


def test_every_answer_matches_its_questionnaire_item(
    engine: Engine, form: Form, questionnaire: dict[str, Any], submitted: list[Any]
) -> None:
    value_for = {"string": "valueString", "text": "valueString", "integer": "valueInteger",
                 "decimal": "valueDecimal", "date": "valueDate", "boolean": "valueBoolean",
                 "choice": "valueCoding"}
    defined = items_by_id(questionnaire)
    for entry in export_json("fhir", engine, form)["entry"]:
        for group in entry["resource"]["item"]:
            assert defined[group["linkId"]]["type"] == "group"
            for item in group["item"]:
                item_def = defined[item["linkId"]]
                assert len(item["answer"]) == 1 or item_def.get("repeats")
                for answer in item["answer"]:
                    [(key, value)] = answer.items()
                    assert key == value_for[item_def["type"]]
                    if key == "valueCoding":
                        assert {"valueCoding": value} in item_def["answerOption"]


def test_an_empty_store_gives_a_valid_empty_bundle(engine: Engine, form: Form) -> None:
    text = export_bytes("fhir", engine, form, ALL).decode()
    assert json.loads(text) == {"resourceType": "Bundle", "type": "collection"}
    Bundle.model_validate_json(text)


def test_questionnaire_resource_is_importable_for_other_callers(form: Form) -> None:
    assert questionnaire_resource(form)["resourceType"] == "Questionnaire"
