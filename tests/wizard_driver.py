"""Drive the patient wizard in AppTest like a patient would: answer, rerun, press Next.

Shared by the AppTest modules (tests/test_ui_wizard.py, tests/test_ui_urgent.py). Widgets are
found by the wizard's keys (`q_<id>`, `q_<id>__<code>` for each choice of a multi-select) and
the widget kind comes from the questionnaire definition, so a changed question type shows up
here as a clear failure rather than a silently skipped answer.

After every answer the script is rerun, so questions that become relevant are rendered
before they are filled in (as in the browser, where every interaction reruns the script).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Widget

from intake_pipeline import Intake
from questions import Question, QuestionType, text
from storage import SubmissionStore, open_engine

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # imported as tests.wizard_driver (bench/)
    from tests import baseline as shared

APP = str(Path(__file__).resolve().parent.parent / "intake_app.py")
TIMEOUT = 30


def baseline(**changes: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A copy of BASELINE; `changes` maps a page id to answers to merge into that page."""
    pages = copy.deepcopy(BASELINE)
    for page_id, answers in changes.items():
        pages[page_index(page_id)].update(answers)
    return pages


def as_stored(pages: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON the store should hold for these page answers (before auto-filled answers)."""
    stored: dict[str, Any] = {}
    for answers in pages:
        for qid, value in answers.items():
            if value is None or value == "" or value == []:
                continue
            stored[qid] = value.isoformat() if isinstance(value, dt.date) else value
    return stored


@cache
def intake() -> Intake:
    return Intake.load()


def per_page(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`answers` split into the wizard's pages, in form order; a date as the widget's dt.date."""
    pages = [
        {
            q.id: dt.date.fromisoformat(answers[q.id])
            if q.type is QuestionType.DATE
            else answers[q.id]
            for q in page.questions
            if q.id in answers
        }
        for page in intake().form.pages
    ]
    off_form = set(answers).difference(*pages)
    assert not off_form, f"not a question of any page: {sorted(off_form)}"
    return pages


# The baseline patient as the wizard tests enter it (one area: main_area is filled in
# automatically). Nothing here fires an urgent or exclude rule.
ANSWERS = shared.answers(
    first_name="María",  # accents, shown back on the review page
    last_name="López",
    signature="maria lopez",  # typed without capitals or accents
    date_of_birth="1962-03-04",  # month != day: the review page shows 03/04/1962
    height_in=4,  # 5 ft 4 in, 180 lb: BMI 30.9
    weight_lb=180,
)
# The same answers, one dict per page in form order.
BASELINE: list[dict[str, Any]] = per_page(ANSWERS)


def page_index(page_id: str) -> int:
    return [p.id for p in intake().form.pages].index(page_id)


def page_title(page_id: str) -> str:
    return text(intake().form.pages[page_index(page_id)].title)


def text_of(value: Mapping[str, str] | None) -> str:
    """A definition text (label, title) in English."""
    return text(value)


def message(message_id: str, **values: Any) -> str:
    return intake().messages.get(message_id, "en", **values)


def question(question_id: str) -> Question:
    return intake().form.question(question_id)


def start() -> AppTest:
    """A fresh session on the first page (set INTAKE_DATABASE_URL before calling)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    check(at)
    return at


def check(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def rendered_keys(at: AppTest) -> set[str]:
    """Keys of every widget drawn in the last run."""
    return {node.key for node in at if isinstance(node, Widget) and node.key}


def header(at: AppTest) -> str | None:
    return at.header[0].value if len(at.header) else None


def review_boxes(at: AppTest) -> dict[str, Block]:
    """The review page's containers, keyed by the page title in their subheader."""
    return {
        block.get("subheader")[0].value: block
        for block in at.main.children.values()
        if isinstance(block, Block) and len(block.get("subheader"))
    }


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def answer(at: AppTest, qid: str, value: Any) -> None:
    """Set one question's widget (None/""/[] clears it); does not rerun."""
    q = question(qid)
    key = f"q_{qid}"
    if q.type is QuestionType.SELECT_MULTIPLE:
        picked = set(value or [])
        for choice in intake().form.choices(q):
            at.checkbox(key=f"{key}__{choice.code}").set_value(choice.code in picked)
    elif q.type is QuestionType.CHECKBOX:
        at.checkbox(key=key).set_value(bool(value))
    elif q.type is QuestionType.DATE:
        at.date_input(key=key).set_value(value)
    elif q.type is QuestionType.SELECT_ONE or (
        q.type is QuestionType.INTEGER and q.widget == "scale"
    ):
        at.radio(key=key).set_value(value)
    elif q.type is QuestionType.INTEGER:
        at.number_input(key=key).set_value(value)
    elif q.multiline:
        at.text_area(key=key).input(value or "")
    else:
        at.text_input(key=key).input(value or "")


def fill(at: AppTest, answers: Mapping[str, Any], seen: set[str] | None = None) -> AppTest:
    """Answer questions on the current page, rerunning after each one."""
    for qid, value in answers.items():
        answer(at, qid, value)
        at.run()
        check(at)
        if seen is not None:
            seen |= rendered_keys(at)
    return at


def click(at: AppTest, key: str, seen: set[str] | None = None) -> AppTest:
    at.button(key=key).click().run()
    check(at)
    if seen is not None:
        seen |= rendered_keys(at)
    return at


def walk(
    at: AppTest, pages_of_answers: Iterable[Mapping[str, Any]], seen: set[str] | None = None
) -> AppTest:
    """Fill each page and press Next; checks each page advances (no errors left behind)."""
    if seen is not None:
        seen |= rendered_keys(at)
    for answers in pages_of_answers:
        before = header(at)
        fill(at, answers, seen)
        click(at, "nav_next", seen)
        assert header(at) != before, f"Next did not leave {before!r}: {errors(at)}"
    return at


def stored_rows(url: str) -> list[dict[str, Any]]:
    store = SubmissionStore(open_engine(url))
    try:
        return list(store.all())
    finally:
        store.engine.dispose()
