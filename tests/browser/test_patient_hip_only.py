"""A hip-only patient never sees a knee question, even on the injury branch that asks knee
patients the Ottawa knee questions; nothing about knees is stored."""

from __future__ import annotations

from typing import Any

import pytest

from .pages import expect, label, open_app, shown_question_ids
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser


KNEE_QUESTIONS = ["walk_4_steps", "bend_90", "kneecap_tender", "fibula_tender", "knee_locked"]
"""Asked only when a knee hurts (the Ottawa knee rule after an injury, and a locked knee)."""


def test_hip_only_patient_never_sees_knee_questions(page: Any, app_server: Any) -> None:
    knees = KNEE_QUESTIONS
    for qid in knees:  # still knee-only in the definition, so the test still means something
        relevant = drv.question(qid).relevant or ""
        assert "knee_" in relevant and "hip_" not in relevant, qid
    pages = drv.baseline(
        where={"pain_areas": ["hip_left"]},
        history={"pain_onset": "injury", "injury_recent": "yes"},  # the branch is taken
    )
    del pages[drv.page_index("history")]["knee_locked"]
    open_app(page)
    seen_knee: dict[str, list[str]] = {}

    def look(page_id: str) -> None:
        seen_knee[page_id] = shown_question_ids(page, knees)

    Patient(page).walk(pages, on_arrival=look, before_next=look)

    assert seen_knee == {p.id: [] for p in drv.intake().form.pages}
    review = page.locator('[data-testid="stMain"]')  # the review lists every question asked
    expect(review.get_by_text(label(drv.question("injury_recent")), exact=True)).to_be_visible()
    for qid in knees:
        expect(review.get_by_text(label(drv.question(qid)), exact=True)).to_have_count(0)

    Patient(page).press("Submit")
    rows = drv.stored_rows(app_server.database_url)
    assert len(rows) == 1
    answers = rows[0]["answers"]
    assert answers["main_area"] == "hip_left"
    assert answers["injury_recent"] == "yes"
    assert not set(knees) & set(answers)
