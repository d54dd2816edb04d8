"""AppTest: the patient wizard end to end (pages, validation, Back, relevance, review, submit).

Each test has its own SQLite file (INTAKE_DATABASE_URL set before the app starts; the store
is cached per URL). The driver in tests/wizard_driver.py answers like a patient: one widget
at a time, rerunning after each answer.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

from ui.wizard import Wizard, WizardState

KNEE_QUESTIONS = ("walk_4_steps", "bend_90", "kneecap_tender", "fibula_tender", "knee_locked")
CAUDA_EQUINA = ("saddle_numbness", "bladder_bowel", "leg_weakness", "both_legs_pain")


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def widget_keys(at: Any) -> set[str]:
    return drv.rendered_keys(at)


# 1 -------------------------------------------------------------------------------------
def test_complete_walk_stores_one_row_with_expected_answers(app_db_url: str) -> None:
    at = drv.start()
    assert drv.header(at) == drv.page_title("about_you")
    drv.walk(at, drv.BASELINE)
    assert drv.header(at) == drv.message("review_title")
    drv.click(at, "nav_submit")

    rows = drv.stored_rows(app_db_url)
    assert len(rows) == 1
    row = rows[0]
    # what was entered, and main_area: one area, so answered automatically and stored
    expected = {**drv.ANSWERS, "main_area": "knee_right"}
    assert row["answers"] == expected
    # not relevant (no injury, no low back, no 'other', female aged 60+): absent, not null
    for absent in ("injury_recent", *KNEE_QUESTIONS[:4], *CAUDA_EQUINA, "pain_other",
                   "last_injection", "pregnant", "other_conditions"):
        assert absent not in row["answers"]
    today = row["submitted_at"].date()
    assert row["calculated"] == {
        "age": age_on(dt.date(1962, 3, 4), today),
        "bmi": 30.9,  # 180 lb at 5 ft 4 in
        "nice_oa_features": True,
    }
    assert row["outcome"] == "candidate"
    assert row["form_id"] == "prolotherapy_intake"

    assert drv.header(at) == drv.message("confirmation_title")
    assert [s.value for s in at.success] == [drv.message("outcome_neutral")]
    assert row["reference"] in [h.value for h in at.subheader]
    assert any(row["reference"] in m.value for m in at.markdown)
    assert not at.error  # no urgent message for this patient
    assert "nav_submit" not in widget_keys(at)


# 2 -------------------------------------------------------------------------------------
def test_kneeless_patient_never_sees_knee_or_cauda_equina_questions(app_db_url: str) -> None:
    pages = drv.baseline(
        where={"pain_areas": ["hip_left"]},
        history={"pain_onset": "injury", "injury_recent": "yes"},
    )
    del pages[drv.page_index("history")]["knee_locked"]
    at = drv.start()
    seen: set[str] = set()
    drv.walk(at, pages, seen)
    drv.click(at, "nav_submit", seen)

    assert "q_injury_recent" in seen  # the injury branch was really taken
    for qid in (*KNEE_QUESTIONS, *CAUDA_EQUINA):
        assert f"q_{qid}" not in seen
    row = drv.stored_rows(app_db_url)[0]
    assert row["answers"]["main_area"] == "hip_left"
    assert not set(KNEE_QUESTIONS + CAUDA_EQUINA) & set(row["answers"])


@pytest.mark.parametrize(
    ("areas", "shown"),
    [(["knee_left"], KNEE_QUESTIONS), (["low_back"], CAUDA_EQUINA)],
    ids=["knee", "low_back"],
)
def test_knee_and_low_back_questions_do_appear_for_those_areas(
    app_db_url: str, areas: list[str], shown: tuple[str, ...]
) -> None:
    """The counterpart of the test above, so it cannot pass by never rendering anything."""
    pages = drv.baseline(
        where={"pain_areas": areas},
        history={"pain_onset": "injury", "injury_recent": "yes", "walk_4_steps": "yes",
                 "bend_90": "yes", "kneecap_tender": "no", "fibula_tender": "no"},
    )
    if "knee_left" not in areas:
        for qid in KNEE_QUESTIONS:
            pages[drv.page_index("history")].pop(qid)
    at = drv.start()
    seen: set[str] = set()
    drv.walk(at, pages[:3], seen)
    seen |= widget_keys(at)  # the warning-signs page
    assert {f"q_{qid}" for qid in shown} <= seen


# 3 -------------------------------------------------------------------------------------
def test_invalid_answer_blocks_next_with_its_message_next_to_it(app_db_url: str) -> None:
    at = drv.start()
    page = dict(drv.BASELINE[0], phone="12345", email="maria at example")
    del page["last_name"]
    drv.fill(at, page)
    drv.click(at, "nav_next")

    assert drv.header(at) == drv.page_title("about_you")
    assert [w.value for w in at.warning] == [drv.message("errors_on_page")]
    assert error_after(at, "q_phone") == drv.message("error_phone")
    assert error_after(at, "q_email") == drv.message("error_email")
    assert error_after(at, "q_last_name") == drv.message("error_required")
    assert error_after(at, "q_first_name") is None
    assert len(at.error) == 3
    # no browser-side check that would hold the value back and word the error its own way
    for key in ("q_phone", "q_email"):
        assert not at.text_input(key=key).proto.validate_regex

    drv.fill(at, {"phone": "(555) 123-4567", "last_name": "López", "email": ""})
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.page_title("where")
    assert not at.error and not at.warning


def test_exclusive_choice_message_names_the_label_not_the_code(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE[:5])
    drv.fill(at, dict(drv.BASELINE[drv.page_index("health")], allergies=["latex", "none"]))
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.page_title("health")
    expected = drv.message("error_exclusive", choice="None of these")
    assert error_after(at, "q_allergies__none") == expected


def error_after(at: Any, key: str) -> str | None:
    """The error drawn after widget `key` and before the next question's widget, if any."""
    nodes = list(at.main)
    start = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == key)
    for node in nodes[start + 1:]:
        if type(node).__name__ == "Error":
            return node.value
        node_key = getattr(node, "key", None) or ""
        if node_key.startswith("q_") and not node_key.startswith(key.split("__")[0] + "__"):
            return None
    return None


# 4 -------------------------------------------------------------------------------------
def test_submit_twice_stores_one_row(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE)
    state: WizardState = at.session_state["wizard"]
    intake = drv.intake()

    # Two clicks racing: two Wizard.submit calls that both start from the same, unsaved state.
    first, second = copy.deepcopy(state), copy.deepcopy(state)
    Wizard(intake, first, {}).submit()
    Wizard(intake, second, {}).submit()
    assert first.saved is not None and second.saved is not None
    assert second.saved.duplicate and second.saved.reference == first.saved.reference
    Wizard(intake, first, {}).submit()  # a click after saving is ignored
    assert len(drv.stored_rows(app_db_url)) == 1

    # In the app: the click, then the same click event delivered again after it rendered.
    at.button(key="nav_submit").click()
    replay = at._tree.get_widget_states()  # the browser's message for this click
    at.run()
    drv.check(at)
    assert drv.header(at) == drv.message("confirmation_title")
    assert "nav_submit" not in widget_keys(at)  # nothing left to click
    at._run(replay)
    drv.check(at)
    assert drv.header(at) == drv.message("confirmation_title")

    rows = drv.stored_rows(app_db_url)
    assert len(rows) == 1
    assert rows[0]["reference"] == first.saved.reference
    assert rows[0]["reference"] in [h.value for h in at.subheader]


# 5 -------------------------------------------------------------------------------------
def test_back_keeps_answers(app_db_url: str) -> None:
    at = drv.start()
    assert "nav_back" not in widget_keys(at)  # no Back on the first page
    drv.walk(at, drv.BASELINE[:2])
    assert drv.header(at) == drv.page_title("history")
    drv.click(at, "nav_back")
    assert drv.header(at) == drv.page_title("where")
    assert at.checkbox(key="q_pain_areas__knee_right").value is True
    assert at.checkbox(key="q_pain_areas__knee_left").value is False
    drv.click(at, "nav_back")
    assert drv.header(at) == drv.page_title("about_you")
    about = drv.BASELINE[0]
    for qid in ("first_name", "last_name", "phone", "email"):
        assert at.text_input(key=f"q_{qid}").value == about[qid]
    assert at.date_input(key="q_date_of_birth").value == about["date_of_birth"]
    assert at.radio(key="q_sex_at_birth").value == "female"
    assert at.radio(key="q_contact_method").value == "phone"
    for qid in ("height_ft", "height_in", "weight_lb"):
        assert at.number_input(key=f"q_{qid}").value == about[qid]

    drv.click(at, "nav_next")
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.page_title("history")
    drv.walk(at, drv.BASELINE[2:])
    drv.click(at, "nav_submit")
    answers = drv.stored_rows(app_db_url)[0]["answers"]
    assert {k: answers[k] for k in drv.as_stored(drv.BASELINE[:2])} == drv.as_stored(
        drv.BASELINE[:2]
    )


# 6 -------------------------------------------------------------------------------------
def test_answer_kept_while_question_hides_and_reappears_on_the_page(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE[:1])
    drv.fill(at, {"pain_areas": ["knee_right", "other"]})
    drv.fill(at, {"pain_other": "Left big toe"})
    drv.fill(at, {"pain_areas": ["knee_right"]})
    assert "q_pain_other" not in widget_keys(at)
    drv.fill(at, {"pain_areas": ["knee_right", "other"]})
    assert at.text_input(key="q_pain_other").value == "Left big toe"
    # main_area appears with 2+ areas and offers only the picked ones
    assert at.radio(key="q_main_area").options == ["Right knee", "Somewhere else"]


def test_answer_that_stopped_being_relevant_at_next_is_dropped(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE[:1])
    drv.fill(at, {"pain_areas": ["knee_right", "other"]})
    drv.fill(at, {"pain_other": "Left big toe", "main_area": "knee_right"})
    drv.fill(at, {"pain_areas": ["knee_right"]})
    assert "q_main_area" not in widget_keys(at)  # one area: not asked
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.page_title("history")
    drv.walk(at, drv.BASELINE[2:])
    drv.click(at, "nav_submit")
    answers = drv.stored_rows(app_db_url)[0]["answers"]
    assert "pain_other" not in answers
    assert answers["pain_areas"] == ["knee_right"]
    assert answers["main_area"] == "knee_right"


# 7 -------------------------------------------------------------------------------------
GOALS = "![x](http://example.invalid/p.png) <b>bold</b>"


def test_review_lists_answers_by_page_as_plain_text_and_edits_return(app_db_url: str) -> None:
    pages = drv.baseline(
        where={"pain_areas": ["knee_right", "other"], "pain_other": "Left big toe",
               "main_area": "knee_right"},
        consent={"goals": GOALS},
    )
    at = drv.start()
    drv.walk(at, pages)
    assert drv.header(at) == drv.message("review_title")

    form = drv.intake().form
    by_title = drv.review_boxes(at)
    assert list(by_title) == [drv.text_of(p.title) for p in form.pages]
    boxes = list(by_title.values())
    for box, page, answers in zip(boxes, form.pages, pages, strict=True):
        labels = [m.value.strip("*") for m in box.get("markdown")]
        expected_ids = [q.id for q in page.questions
                        if q.id in answers or q.id == "other_conditions"]
        assert labels == [drv.text_of(form.question(qid).label) for qid in expected_ids]
        assert f"edit_{page.id}" in {b.key for b in box.get("button")}
    where = boxes[drv.page_index("where")]
    assert [t.value for t in where.get("text")] == [
        "Right knee\nSomewhere else", "Left big toe", "Right knee"]
    about = boxes[drv.page_index("about_you")]
    assert [t.value for t in about.get("text")][:4] == ["María", "López", "03/04/1962", "Female"]
    health = boxes[drv.page_index("health")]
    assert [c.value for c in health.get("caption")] == [drv.message("review_not_answered")]

    # patient text through st.text only, verbatim; never through Markdown
    assert GOALS in [t.value for t in at.text]
    for md in (*at.markdown, *at.caption, *at.subheader, *at.header):
        assert "example.invalid" not in md.value and "<b>" not in md.value

    # edit a page, change an answer, Next: back on the review page with the new answer
    drv.click(at, "edit_history")
    assert drv.header(at) == drv.page_title("history")
    assert at.radio(key="q_pain_average").value == 6
    drv.fill(at, {"pain_average": 7})
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.message("review_title")
    history = drv.review_boxes(at)[drv.page_title("history")]
    assert "7" in [t.value for t in history.get("text")]

    drv.click(at, "nav_submit")
    answers = drv.stored_rows(app_db_url)[0]["answers"]
    assert answers["pain_average"] == 7
    assert answers["goals"] == GOALS
    assert answers["pain_other"] == "Left big toe"


def test_edit_that_makes_new_questions_relevant_walks_through_them(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE)
    drv.click(at, "edit_where")
    drv.fill(at, {"pain_areas": ["knee_right", "low_back"]})
    drv.fill(at, {"main_area": "knee_right"})
    drv.click(at, "nav_next")
    # the new low-back questions are unanswered, so the patient is taken through them
    assert drv.header(at) == drv.page_title("history")
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.page_title("warning_signs")
    drv.fill(at, {qid: "no" for qid in CAUDA_EQUINA})
    drv.click(at, "nav_next")
    assert drv.header(at) == drv.message("review_title")


def test_start_over_gives_an_empty_form(app_db_url: str) -> None:
    at = drv.start()
    drv.walk(at, drv.BASELINE)
    drv.click(at, "nav_submit")
    drv.click(at, "start_over")
    assert drv.header(at) == drv.page_title("about_you")
    assert at.text_input(key="q_first_name").value == ""
    assert at.session_state["wizard"].answers == {}
    assert len(drv.stored_rows(app_db_url)) == 1


def test_progress_text_counts_pages_and_names_them(app_db_url: str) -> None:
    at = drv.start()
    total = len(drv.intake().form.pages) + 1
    assert at.get("progress")[0].proto.text == drv.message(
        "progress", page=1, pages=total, title=drv.page_title("about_you"))
    drv.walk(at, drv.BASELINE)
    assert at.get("progress")[0].proto.text == drv.message(
        "progress", page=total, pages=total, title=drv.message("review_title"))
    assert at.get("progress")[0].proto.value == 100
