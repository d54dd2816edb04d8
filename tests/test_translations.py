"""Every patient-facing text exists in every configured language (issue 9: Spanish).

Lists every text of the questionnaire (form title, page titles and intros, question labels
and hints, choice labels, calculated-field labels) and of messages.yaml, in English and
Spanish: none empty, Spanish never a copy of the English (except a tiny allow-list), the
same {placeholders} in both, the "usted" form, and no promise of results in Spanish.
`intake check` names each text that lacks a language, so an untranslated question cannot
ship; and the patient pages in ui/ draw no text of their own (all of it comes from YAML).
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import questions.messages
from intake_cli import main
from questions import (
    DEFAULT_FORM,
    DefinitionError,
    Msg,
    Problem,
    load_form,
    load_messages,
    read_yaml,
    text,
)
from questions.messages import DEFAULT_MESSAGES

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "es"]

# Spanish texts that are rightly the same as the English. Keep this tiny: every entry must
# be a word that is spelled the same in both languages, and must still be in use.
SAME_IN_BOTH = {
    "No": "the Spanish word for no is no",
    "Lupus": "the name of the disease, the same in Spanish",
}

# Promises the spec forbids ("Never: eligible, qualify, cure, regenerate, avoid surgery,
# proven"), in Spanish. Word-boundary aware: "procurar", "seguro", "curva", "curso" pass;
# "curación" (healing that implies a cure) is forbidden like "cura".
FORBIDDEN_ES = re.compile(
    r"\b(?:in)?elegib\w*"  # elegible, inelegible, elegibilidad
    r"|\bcalific\w*"  # califica, calificar, califique, calificado
    r"|\bcur(?:a|as|an|ar|ará|arán|aría|ó|e|en|ado|ada|ados|adas|ación|aciones"
    r"|ativo|ativa|ativos|ativas)\b"  # cura, curar, curación, curativo
    r"|\bgarantiz\w*|\bgarant[ií]a\w*"  # garantiza, garantizar, garantía
    r"|\bregenera\w*|\bregeneraci[oó]n\b"  # regenera, regenerar, regenerativo, regeneración
    r"|\bevit\w*\s+(?:\w+\s+){0,3}?cirug[ií]as?\b"  # evitar la cirugía, evite una cirugía
    r"|\bcomprobad\w*",  # comprobado, comprobada
    re.IGNORECASE,
)

# The informal "tú" (the form speaks to the patient as "usted").
INFORMAL = re.compile(r"\b(?:tú|tu|tus|ti|contigo)\b", re.IGNORECASE)


# ---- the list of texts --------------------------------------------------------------------


def _texts(node: Any, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    """(where, {language: text}) for every translatable text, whatever its key."""
    if isinstance(node, dict):
        if node and all(  # {en: ..., es: ...}: keys are language codes
            re.fullmatch(r"[a-z]{2}", str(k)) and isinstance(v, str) for k, v in node.items()
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = (item.get("id") or item.get("code")) if isinstance(item, dict) else None
            yield from _texts(item, f"{path}.{name or index}")


def form_texts() -> list[tuple[str, dict[str, str]]]:
    return list(_texts(read_yaml(DEFAULT_FORM), "form"))


def message_texts() -> list[tuple[str, dict[str, str]]]:
    messages = read_yaml(DEFAULT_MESSAGES)["messages"]
    return [(f"messages.{mid}", value) for mid, value in messages.items()]


ALL = form_texts() + message_texts()
# The language choice shows each language's name in itself and its label in every language.
LANGUAGE_CHOICE = {"messages.language_label", "messages.language_name"}


def ids(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_form_is_configured_in_english_and_spanish() -> None:
    assert load_form().definition.languages == LANGUAGES


def test_every_patient_facing_text_is_listed() -> None:
    """The list covers every text the loaded definition has, of every kind."""
    form = load_form()
    expected = 1 + len(form.calculated)  # form title, calculated labels
    for page in form.pages:
        expected += 1 + (page.intro is not None)
        expected += sum(1 + (q.hint is not None) for q in page.questions)
    expected += sum(len(choices) for choices in form.definition.choice_lists.values())
    assert len(form_texts()) == expected
    where = {w for w, _ in ALL}
    for sample in ("form.title", "form.pages.about_you.title", "form.pages.about_you.intro",
                   "form.pages.about_you.questions.first_name.label",
                   "form.pages.about_you.questions.phone.hint",
                   "form.choice_lists.areas.low_back.label", "form.calculated.bmi.label",
                   "messages.disclaimer", "messages.urgent", "messages.button_next",
                   "messages.error_range", "messages.confirmation_reference"):
        assert sample in where
    assert len(message_texts()) == len(load_messages().texts)


@pytest.mark.parametrize(("where", "value"), ALL, ids=ids)
def test_every_text_has_every_language_and_none_is_empty(where: str, value: dict[str, str]) -> None:
    assert sorted(value) == sorted(LANGUAGES), where
    for lang in LANGUAGES:
        assert value[lang].strip() == value[lang] and value[lang], (where, lang)


@pytest.mark.parametrize(("where", "value"), ALL, ids=ids)
def test_spanish_is_not_a_copy_of_the_english(where: str, value: dict[str, str]) -> None:
    if value["es"].casefold() == value["en"].casefold():
        assert value["es"] in SAME_IN_BOTH, f"{where}: not translated: {value['es']!r}"


def test_the_same_in_both_list_is_tiny_and_every_entry_is_used() -> None:
    same = {v["es"] for _, v in ALL if v["es"] == v["en"]}
    assert same == set(SAME_IN_BOTH)
    assert len(SAME_IN_BOTH) <= 3


@pytest.mark.parametrize(("where", "value"), ALL, ids=ids)
def test_both_languages_have_the_same_placeholders(where: str, value: dict[str, str]) -> None:
    assert placeholders(value["es"]) == placeholders(value["en"]), where
    filled = {name: "X" for name in placeholders(value["en"])}
    value["es"].format(**filled)  # no stray braces


def test_validation_messages_keep_their_placeholders_in_spanish() -> None:
    messages = load_messages(languages=LANGUAGES)
    assert messages.get("error_range", "es", min=0, max=10) == (
        "Por favor, escriba un número del 0 al 10."
    )
    assert messages.get("progress", "es", page=2, pages=8, title="Dónde le duele") == (
        "Página 2 de 8: Dónde le duele"
    )
    assert "{reference}" in messages.texts["confirmation_reference"]["es"]


def test_buttons_and_fixed_wording_in_spanish() -> None:
    messages = load_messages(languages=LANGUAGES)
    assert [messages.get(m, "es") for m in ("button_back", "button_next", "button_submit")] == [
        "Atrás", "Siguiente", "Enviar"
    ]
    assert messages.get("disclaimer", "es").endswith("llame al 911 ahora.")
    assert "911" in messages.get("urgent", "es")


@pytest.mark.parametrize(("where", "value"), ALL, ids=ids)
def test_spanish_never_promises_results(where: str, value: dict[str, str]) -> None:
    assert FORBIDDEN_ES.findall(value["es"]) == [], where


@pytest.mark.parametrize(("where", "value"), ALL, ids=ids)
def test_spanish_speaks_to_the_patient_as_usted(where: str, value: dict[str, str]) -> None:
    assert INFORMAL.findall(value["es"]) == [], where


@pytest.mark.parametrize(
    ("sentence", "forbidden"),
    [
        ("Usted es elegible.", True),
        ("Puede que no sea ELEGIBLE ahora.", True),
        ("Es inelegible.", True),
        ("Usted califica para el tratamiento.", True),
        ("para calificar", True),
        ("Esto cura la artritis.", True),
        ("La proloterapia puede curar su rodilla.", True),
        ("una curación completa", True),
        ("un tratamiento curativo", True),
        ("Le garantiza resultados.", True),
        ("sin garantía", True),
        ("Regenera el cartílago.", True),
        ("inyecciones regenerativas", True),
        ("la regeneración del tejido", True),
        ("para evitar la cirugía", True),
        ("Evite una cirugía de rodilla.", True),
        ("un tratamiento comprobado", True),
        ("Vamos a procurar su bienestar.", False),
        ("Su información está segura.", False),
        ("Es un sitio seguro.", False),
        ("la curva de la espalda", False),
        ("un curso de terapia física", False),
        ("Tratamientos que ha probado", False),
        ("Cirugía en esta articulación", False),
        ("¿Le han reemplazado esta articulación (cirugía de reemplazo de articulación)?", False),
        ("Puede dejar esto en blanco.", False),
    ],
)
def test_forbidden_promise_check_catches_word_forms_but_not_other_words(
    sentence: str, forbidden: bool
) -> None:
    assert bool(FORBIDDEN_ES.search(sentence)) is forbidden


def test_brand_names_of_medicines_stay_as_they_are() -> None:
    label = text(load_form().question("blood_thinners").label, "es")
    for brand in ("Eliquis", "Xarelto", "Plavix"):
        assert brand in label


# ---- intake check names each missing translation ------------------------------------------


def _without(node: Any, *path: Any) -> None:
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def _form_copy(tmp_path: Path, *removals: tuple[Any, ...]) -> Path:
    raw = read_yaml(DEFAULT_FORM)
    for removal in removals:
        _without(raw, *removal)
    path = tmp_path / "form.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def missing(file: str, item: str, field: str) -> Problem:
    return Problem.of(Msg.MISSING_TRANSLATION, file, item, field=field, lang="es")


def test_a_form_label_without_spanish_fails_check_naming_the_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _form_copy(tmp_path, ("pages", 0, "questions", 0, "label", "es"))  # first_name

    with pytest.raises(DefinitionError) as caught:
        load_form(path)
    expected = missing("form.yaml", "first_name", "label")
    assert caught.value.problems == [expected]

    assert main(["check", "--form", str(path)]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s):" in err
    assert str(expected) in err
    assert str(expected) == (
        "form.yaml: first_name: error: label has no text for language 'es'. "
        "Fix: add 'es: ...' under label."
    )


def test_every_kind_of_form_text_without_spanish_is_named(tmp_path: Path) -> None:
    path = _form_copy(
        tmp_path,
        ("title", "es"),
        ("pages", 1, "title", "es"),  # where
        ("pages", 1, "intro", "es"),
        ("pages", 0, "questions", 4, "hint", "es"),  # phone
        ("choice_lists", "areas", 8, "label", "es"),  # low_back
        ("calculated", 1, "label", "es"),  # bmi
    )
    with pytest.raises(DefinitionError) as caught:
        load_form(path)
    assert caught.value.problems == [
        missing("form.yaml", "form", "title"),
        missing("form.yaml", "phone", "hint"),
        missing("form.yaml", "where", "title"),
        missing("form.yaml", "where", "intro"),
        missing("form.yaml", "choice_lists.areas", "label of 'low_back'"),
        missing("form.yaml", "bmi", "label"),
    ]


def test_an_empty_spanish_text_counts_as_missing(tmp_path: Path) -> None:
    raw = read_yaml(DEFAULT_FORM)
    raw["pages"][6]["questions"][3]["hint"]["es"] = "  "  # signature
    path = tmp_path / "form.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_form(path)
    assert caught.value.problems == [missing("form.yaml", "signature", "hint")]


def _messages_copy(tmp_path: Path, *message_ids: str) -> Path:
    raw = read_yaml(DEFAULT_MESSAGES)
    for message_id in message_ids:
        del raw["messages"][message_id]["es"]
    path = tmp_path / "messages.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_message_without_spanish_fails_check_naming_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _messages_copy(tmp_path, "button_next")

    with pytest.raises(DefinitionError) as caught:
        load_messages(path, languages=LANGUAGES)
    expected = Problem.of(
        Msg.MISSING_TRANSLATION, "messages.yaml", "button_next", field="text", lang="es"
    )
    assert caught.value.problems == [expected]

    monkeypatch.setattr(questions.messages, "DEFAULT_MESSAGES", path)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s):" in err
    assert str(expected) in err
    assert str(expected) == (
        "messages.yaml: button_next: error: text has no text for language 'es'. "
        "Fix: add 'es: ...' under text."
    )


def test_every_message_without_spanish_is_named(tmp_path: Path) -> None:
    path = _messages_copy(tmp_path, "disclaimer", "urgent", "error_range")
    with pytest.raises(DefinitionError) as caught:
        load_messages(path, languages=LANGUAGES)
    assert [p.item for p in caught.value.problems] == ["disclaimer", "urgent", "error_range"]


# ---- the patient pages draw no text of their own ------------------------------------------

PATIENT_UI = [ROOT / "ui" / "patient.py", ROOT / "ui" / "question_widgets.py"]
DRAWS = {
    "button", "caption", "checkbox", "date_input", "error", "expander", "header", "info",
    "markdown", "multiselect", "number_input", "progress", "radio", "segmented_control",
    "selectbox", "set_page_config", "subheader", "success", "tabs", "text", "text_area",
    "text_input", "title", "toast", "warning", "write", "pills", "form_submit_button",
}
# Keyword arguments that are settings, not text the patient reads.
SETTINGS = {
    "key", "type", "icon", "format", "autocomplete", "validate", "on_click", "on_change",
    "args", "kwargs", "use_container_width", "horizontal", "height", "max_chars", "index",
    "step", "min_value", "max_value", "border", "label_visibility", "layout", "width",
    "value", "options", "format_func", "disabled",
}


def _words(node: ast.AST) -> list[str]:
    """String constants with letters in an argument, f-string parts included; not inside a
    call, whose result is looked up text (msg.get("button_next", lang), text(q.label, lang))."""
    if isinstance(node, ast.Call):
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if re.search(r"[A-Za-z]", node.value) else []
    return [word for child in ast.iter_child_nodes(node) for word in _words(child)]


@pytest.mark.parametrize("path", PATIENT_UI, ids=lambda p: p.name)
def test_patient_pages_draw_only_texts_from_the_yaml(path: Path) -> None:
    """No literal English in a Streamlit call: labels and bodies come from the YAML."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in DRAWS:
            continue
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg not in SETTINGS)]
        for argument in arguments:
            found += [(node.lineno, word) for word in _words(argument)]
    assert found == [], f"{path.name}: hard-coded text the patient would see: {found}"


def test_every_message_the_patient_pages_ask_for_exists_in_both_languages() -> None:
    source = (ROOT / "ui" / "patient.py").read_text(encoding="utf-8")
    asked = set(re.findall(r"""\b(?:msg|messages)\.get\(\s*["']([a-z_]+)["']""", source))
    asked |= {"outcome_exclude", "outcome_review", "outcome_candidate"}  # f"outcome_{...}"
    texts = load_messages(languages=LANGUAGES).texts
    assert asked - set(texts) == set()
    assert {"button_next", "urgent", "disclaimer", "language_label"} <= asked
