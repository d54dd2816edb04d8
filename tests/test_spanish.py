"""AppTest: the patient wizard in Spanish (issue 9).

A complete walk opened with `?lang=es` stores the same answers (codes) as the same walk in
English, with language "es"; every page, button, message and choice the patient sees is the
Spanish text from the YAML; the English / Español choice on the first page switches every
text at once and keeps `lang` in the URL in sync.

The driver (tests/wizard_driver.py) finds widgets by key, so the same walk works in both
languages; expected Spanish texts are read from the YAML, never retyped here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

from questions import text
from ui.wizard import pick_language

ES = "es"
# The language choice is shown in every language on purpose ("Language / Idioma", "English").
BILINGUAL = {"language_label", "language_name"}

# Two areas (so "which area bothers you most" is asked, with its choices filtered), an
# "other" area (a text answer), and every question type of the form.
PAGES = drv.baseline(
    where={"pain_areas": ["knee_right", "other"], "pain_other": "Tobillo izquierdo",
           "main_area": "knee_right"},
)


# ---- helpers ------------------------------------------------------------------------------


def es_message(message_id: str, **values: Any) -> str:
    return drv.intake().messages.get(message_id, ES, **values)


def es_title(page_id: str) -> str:
    return text(drv.intake().form.pages[drv.page_index(page_id)].title, ES)


def start(lang: str | None = None) -> AppTest:
    at = AppTest.from_file(drv.APP, default_timeout=drv.TIMEOUT)
    if lang is not None:
        at.query_params["lang"] = lang
    at.run()
    drv.check(at)
    return at


def buttons(at: AppTest) -> dict[str, str]:
    return {b.key: b.label for b in at.button}


def progress(at: AppTest) -> str:
    return at.get("progress")[0].text


def shown_texts(at: AppTest) -> Iterator[str]:
    """Every text the patient can read in the last run (labels, options, bodies, buttons)."""
    for node in at:
        kind = type(node).__name__
        label = getattr(node, "label", None)
        if isinstance(label, str):
            yield label
        if kind == "Radio":
            yield from (str(option) for option in node.options)
        if kind in ("Markdown", "Caption", "Header", "Subheader", "Title", "Text", "Error",
                    "Warning", "Success", "Info"):
            yield str(node.value)
        if kind == "Progress":
            yield node.text


def english_only_texts() -> set[str]:
    """Every English definition text whose Spanish differs (the ones that must not show)."""
    form, found = drv.intake().form, set()
    messages = drv.intake().messages.texts
    values = [form.definition.title, *(v for k, v in messages.items() if k not in BILINGUAL)]
    for page in form.pages:
        values += [page.title, page.intro]
        for q in page.questions:
            values += [q.label, q.hint]
    for choices in form.definition.choice_lists.values():
        values += [c.label for c in choices]
    for value in values:
        if value and value["en"].casefold() != value[ES].casefold():
            found.add(value["en"])
    return found


def assert_no_english(at: AppTest, seen: list[str]) -> None:
    """No English-only text from the YAML appears anywhere on the page."""
    english = english_only_texts()
    shown = list(shown_texts(at))
    seen += shown
    leaks = {(e, s) for s in shown for e in english
             if re.search(rf"(?<!\w){re.escape(e)}(?!\w)", s)}
    assert not leaks, leaks


def walk_in_spanish(at: AppTest, pages: list[dict[str, Any]], seen: list[str]) -> None:
    """Fill each page and press Siguiente, checking every page is Spanish on the way."""
    total = len(drv.intake().form.pages) + 1
    for index, answers in enumerate(pages):
        page = drv.intake().form.pages[index]
        assert drv.header(at) == es_title(page.id)
        assert progress(at) == es_message("progress", page=index + 1, pages=total,
                                          title=es_title(page.id))
        drv.fill(at, answers)
        assert_no_english(at, seen)
        expected = {"nav_next": es_message("button_next")}
        if index:
            expected["nav_back"] = es_message("button_back")
        assert {k: v for k, v in buttons(at).items() if k.startswith("nav_")} == expected
        assert at.caption[-1].value == es_message("disclaimer")
        drv.click(at, "nav_next")
        assert drv.header(at) != es_title(page.id), drv.errors(at)


def walk_and_submit(lang: str | None) -> AppTest:
    at = start(lang)
    seen: list[str] = []
    if lang == ES:
        walk_in_spanish(at, PAGES, seen)
    else:
        drv.walk(at, PAGES)
    drv.click(at, "nav_submit")
    return at


def stored(url: str) -> dict[str, Any]:
    rows = drv.stored_rows(url)
    assert len(rows) == 1
    return rows[0]


# ---- the complete walk --------------------------------------------------------------------


def test_walk_in_spanish_stores_the_same_codes_as_in_english_with_language_es(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("INTAKE_SHOW_OUTCOME_MESSAGE", raising=False)
    rows = {}
    for lang in ("en", ES):
        url = f"sqlite:///{tmp_path}/{lang}.db"
        monkeypatch.setenv("INTAKE_DATABASE_URL", url)
        walk_and_submit(None if lang == "en" else lang)
        rows[lang] = stored(url)

    en, es = rows["en"], rows[ES]
    assert es["answers"] == en["answers"]
    assert es["answers"] == {**drv.as_stored(PAGES)}  # codes, never Spanish labels
    assert es["calculated"] == en["calculated"]
    assert es["outcome"] == en["outcome"]
    assert [r["id"] for r in es["rules_fired"]] == [r["id"] for r in en["rules_fired"]]
    assert (en["language"], es["language"]) == ("en", ES)


def test_spanish_pages_review_and_confirmation(app_db_url: str) -> None:
    at = start(ES)
    seen: list[str] = []
    # the filtered choices of "which area bothers you most" are Spanish labels
    drv.walk(at, PAGES[:1])
    drv.fill(at, {"pain_areas": PAGES[1]["pain_areas"]})
    assert at.radio(key="q_main_area").options == ["Rodilla derecha", "Otra parte"]
    drv.click(at, "nav_back")

    walk_in_spanish(at, PAGES, seen)

    # review page
    assert drv.header(at) == es_message("review_title")
    assert progress(at) == es_message("progress", page=8, pages=8,
                                      title=es_message("review_title"))
    assert buttons(at)["nav_back"] == "Atrás"
    assert buttons(at)["nav_submit"] == "Enviar"
    assert buttons(at)["edit_about_you"] == es_message("button_edit")
    boxes = drv.review_boxes(at)
    assert list(boxes) == [es_title(p.id) for p in drv.intake().form.pages]
    answers_shown = [t.value for t in at.text]
    assert "Femenino" in answers_shown  # sex_at_birth as its Spanish label
    assert "Rodilla derecha\nOtra parte" in answers_shown  # pain_areas, one label a line
    assert es_message("checked") in answers_shown  # the consent boxes
    assert_no_english(at, seen)

    drv.click(at, "nav_submit")
    row = stored(app_db_url)
    assert row["language"] == ES
    assert drv.header(at) == es_message("confirmation_title")
    assert [s.value for s in at.success] == [es_message("outcome_neutral")]
    assert es_message("confirmation_reference", reference=row["reference"]) in [
        m.value for m in at.markdown
    ]
    assert buttons(at)["start_over"] == es_message("button_start_over")
    assert at.caption[-1].value == es_message("disclaimer")
    assert_no_english(at, seen)
    # the Spanish walk really showed Spanish (not only "no English")
    assert "Sobre usted" in seen and "Siguiente" in seen and "Enviar" in seen

    # a new questionnaire keeps the patient's language
    drv.click(at, "start_over")
    assert drv.header(at) == es_title("about_you")
    assert at.radio(key="language").value == ES


def test_validation_urgent_and_exclusive_messages_in_spanish(app_db_url: str) -> None:
    at = start(ES)
    drv.click(at, "nav_next")  # nothing answered
    assert [w.value for w in at.warning] == [es_message("errors_on_page")]
    assert es_message("error_required") in drv.errors(at)

    pages = drv.baseline(warning_signs={"hot_swollen": "yes"})
    walk_in_spanish(at, pages[:4], [])
    assert es_message("urgent") in drv.errors(at)  # shown as soon as the page is left
    drv.fill(at, {"treatments_tried": ["exercise_pt", "none"]})
    drv.click(at, "nav_next")
    assert drv.header(at) == es_title("treatments")  # blocked
    none_label = drv.intake().form.choice_label(drv.question("treatments_tried"), "none", ES)
    assert none_label == "Ninguno de estos"
    assert es_message("error_exclusive", choice=none_label) in drv.errors(at)
    assert es_message("urgent") in drv.errors(at)  # and stays


@pytest.mark.parametrize(
    ("outcome", "message_id"),
    [("exclude", "outcome_exclude"), ("review", "outcome_review"),
     ("candidate", "outcome_candidate"), ("urgent", "outcome_neutral")],
)
def test_outcome_specific_wording_in_spanish(
    monkeypatch: pytest.MonkeyPatch, outcome: str, message_id: str
) -> None:
    from ui.patient import outcome_message

    monkeypatch.setenv("INTAKE_SHOW_OUTCOME_MESSAGE", "true")
    assert outcome_message(drv.intake(), outcome, ES) == es_message(message_id)


# ---- choosing the language ----------------------------------------------------------------


def test_switching_language_on_the_first_page_switches_every_text(app_db_url: str) -> None:
    at = start()
    choice = at.radio(key="language")
    assert choice.label == "Language / Idioma"
    assert choice.options == ["English", "Español"]
    assert choice.value == "en"
    assert drv.header(at) == drv.page_title("about_you")
    assert at.text_input(key="q_first_name").label == "First name"
    drv.fill(at, {"first_name": "María", "sex_at_birth": "female"})

    at.radio(key="language").set_value(ES).run()
    drv.check(at)
    assert at.query_params["lang"] == ES  # a reload keeps Spanish
    assert drv.header(at) == es_title("about_you")
    assert at.text_input(key="q_first_name").label == "Nombre"
    assert at.radio(key="q_sex_at_birth").options == [
        "Femenino", "Masculino", "Intersexual", "Prefiero no decirlo"
    ]
    assert buttons(at)["nav_next"] == "Siguiente"
    assert at.caption[-1].value == es_message("disclaimer")
    # what was typed stays
    assert at.text_input(key="q_first_name").value == "María"
    assert at.radio(key="q_sex_at_birth").value == "female"
    assert_no_english(at, [])

    at.radio(key="language").set_value("en").run()
    drv.check(at)
    assert at.query_params["lang"] == "en"
    assert drv.header(at) == drv.page_title("about_you")
    assert at.text_input(key="q_first_name").label == "First name"
    assert buttons(at)["nav_next"] == "Next"


def test_language_choice_is_only_on_the_first_page_and_remembered(app_db_url: str) -> None:
    at = start(ES)
    assert at.radio(key="language").value == ES
    drv.walk(at, drv.BASELINE[:1])
    assert drv.header(at) == es_title("where")
    assert "language" not in drv.rendered_keys(at)
    drv.click(at, "nav_back")
    assert drv.header(at) == es_title("about_you")
    assert at.radio(key="language").value == ES  # re-seeded after Streamlit dropped it


def test_unknown_lang_in_the_url_opens_the_first_language(app_db_url: str) -> None:
    at = start("fr")
    assert drv.header(at) == drv.page_title("about_you")
    assert at.radio(key="language").value == "en"


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("es", "es"), ("ES", "es"), ("es-US", "es"), ("es_MX", "es"), (" en ", "en"),
     ("fr", "en"), ("", "en"), (None, "en"), (["es"], "en")],
)
def test_pick_language(requested: object, expected: str) -> None:
    assert pick_language(requested, ["en", "es"]) == expected
