"""Patient-facing messages: every validation error has plain words, placeholders are filled."""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from pathlib import Path

import pytest

from questions import (
    AnswersInvalid,
    AnswerValidator,
    DefinitionError,
    Msg,
    Problem,
    load_form,
    load_messages,
    text,
)

PACKAGE = Path(__file__).parent.parent / "questions"


def raised_errors(module: str) -> dict[str, set[str]]:
    """{kind: placeholder names} for every `error("kind", name=...)` call in a module.

    The kind may be a string, an `a if ... else b` of strings, or a variable assigned one.
    """
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)

    def kinds(expr: ast.expr) -> list[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.IfExp):
            return kinds(expr.body) + kinds(expr.orelse)
        if isinstance(expr, ast.Name):
            return [kind for value in assigned.get(expr.id, []) for kind in kinds(value)]
        raise AssertionError(f"{module}:{expr.lineno}: cannot tell which error this raises")

    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "error" and node.args:
            for kind in kinds(node.args[0]):
                found[kind] = {k.arg for k in node.keywords if k.arg}
    return found


RAISED = {**raised_errors("answer_types.py"), **raised_errors("validation.py")}


def test_the_scan_finds_the_errors_we_know_of():
    assert {"range", "exclusive", "required", "must_check", "signature", "invalid"} <= set(RAISED)
    assert RAISED["range"] == {"min", "max"}


def test_messages_yaml_loads():
    messages = load_messages()

    assert messages.get("button_next") == "Next"
    assert "call 911" in messages.get("disclaimer")


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_every_validation_error_has_a_message_with_its_placeholders(kind):
    messages = load_messages()

    assert f"error_{kind}" in messages.texts
    assert messages.placeholders(f"error_{kind}") == RAISED[kind]


@pytest.mark.parametrize(
    ("message_id", "values", "expected"),
    [
        ("error_range", {"min": 3, "max": 8}, "Please enter a number from 3 to 8."),
        (
            "error_text_too_long",
            {"max": 100},
            "Please shorten this answer to 100 characters or fewer.",
        ),
        (
            "error_date_too_old",
            {"years": 120},
            "Please check the year. The date cannot be more than 120 years ago.",
        ),
        (
            "error_exclusive",
            {"choice": "none"},
            '"none" cannot be chosen together with other options.',
        ),
        (
            "progress",
            {"page": 2, "pages": 7, "title": "Where it hurts"},
            "Page 2 of 7: Where it hurts",
        ),
        ("error_required", {}, "Please answer this question."),
        ("no_such_message", {}, "no_such_message"),
    ],
)
def test_placeholders_are_filled(message_id, values, expected):
    assert load_messages().get(message_id, **values) == expected


def test_every_answer_problem_reads_as_plain_words():
    validator = AnswerValidator(load_form())
    messages = load_messages()
    nonsense = {
        "first_name": "A" * 101,
        "date_of_birth": "1800-01-01",
        "phone": "12",
        "email": "x@",
        "height_ft": 99,
        "height_in": "tall",
        "pain_areas": ["knee_left", "knee_left"],
        "treatments_tried": ["none", "surgery"],
        "consent_store": False,
        "unknown": 1,
    }

    with pytest.raises(AnswersInvalid) as caught:
        validator.validate(nonsense, today=dt.date(2026, 11, 26))

    for problem in caught.value.problems:
        shown = messages.get(problem.message_id, **problem.values)
        assert shown != problem.message_id
        assert not re.search(r"[{}]|error_", shown), shown


BANNED = re.compile(
    r"\b(eligible|qualify|qualifies|cure|cures|regenerate|avoid surgery|proven)\b", re.I
)


def patient_texts() -> list[str]:
    form = load_form()
    out = [text(form.definition.title)]
    for page in form.pages:
        out += [text(page.title), text(page.intro)]
        for q in page.questions:
            out += [text(q.label), text(q.hint)]
            out += [text(c.label) for c in (form.choices(q) if q.choices else [])]
    out += [text(value) for value in load_messages().texts.values()]
    return out


def test_patient_texts_never_use_banned_words():
    assert [t for t in patient_texts() if BANNED.search(t)] == []


def test_message_without_a_translation_is_reported(tmp_path):
    path = tmp_path / "messages.yaml"
    path.write_text('messages:\n  greeting:\n    en: "Hello"\n    es: ""\n', encoding="utf-8")

    with pytest.raises(DefinitionError) as caught:
        load_messages(path, languages=["en", "es"])

    assert [str(p) for p in caught.value.problems] == [
        str(
            Problem.of(
                Msg.MISSING_TRANSLATION, "messages.yaml", "greeting", field="text", lang="es"
            )
        )
    ]


def test_message_that_is_not_a_mapping_of_languages_is_reported(tmp_path):
    path = tmp_path / "messages.yaml"
    path.write_text('messages:\n  greeting: "Hello"\n', encoding="utf-8")

    with pytest.raises(DefinitionError) as caught:
        load_messages(path)

    assert [str(p) for p in caught.value.problems] == [
        str(
            Problem.of(
                Msg.FIELD_INVALID,
                "messages.yaml",
                "greeting",
                field="text",
                detail="must be a mapping of language to text",
                fix='write it as  en: "..."',
            )
        )
    ]


def test_message_placeholders_are_plain_names():
    for message_id, value in load_messages().texts.items():
        for _, name, spec, conversion in string.Formatter().parse(value["en"]):
            assert name is None or (name.isidentifier() and not spec and not conversion), message_id
