"""A reload in the middle of the form resumes the draft: same page, answers still there."""

from __future__ import annotations

from typing import Any

import pytest

from .pages import control, expect, heading, open_app, page_title, settle
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser


def test_a_reload_mid_form_resumes_on_the_same_page_with_the_answers(
    page: Any, app_server: Any
) -> None:
    open_app(page)
    patient = Patient(page)
    for answers in drv.BASELINE[:2]:
        patient.fill(answers)
        patient.press("Next")
    expect(heading(page, page_title("history"))).to_be_visible()
    assert "resume=" in page.url  # the token the reload needs is in the address

    page.reload()
    settle(page)
    expect(heading(page, page_title("history"))).to_be_visible()
    patient.press("Back")
    patient.press("Back")
    expect(heading(page, page_title("about_you"))).to_be_visible()
    expect(control(page, "first_name")).to_have_value(drv.BASELINE[0]["first_name"])
    expect(control(page, "phone")).to_have_value(drv.BASELINE[0]["phone"])
    assert drv.stored_rows(app_server.database_url) == []  # a draft is not a submission
