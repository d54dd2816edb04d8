"""A wrong phone number shows its message next to the field and Next stays on the page."""

from __future__ import annotations

from typing import Any

import pytest

from .pages import (
    comes_before,
    control,
    expect,
    first_alert_after,
    heading,
    message,
    open_app,
    page_title,
)
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser


def test_wrong_phone_number_shows_its_message_and_next_does_not_advance(
    page: Any, app_server: Any
) -> None:
    open_app(page)
    patient = Patient(page)
    patient.fill({**drv.BASELINE[0], "phone": "12345"})
    patient.press("Next")

    expect(heading(page, page_title("about_you"))).to_be_visible()
    expect(heading(page, page_title("where"))).to_have_count(0)
    problem = first_alert_after(page, "phone")
    expect(problem).to_have_text(message("error_phone"))
    assert comes_before(problem, control(page, "email"))  # next to the phone field
    expect(page.get_by_role("alert")).to_have_count(2)  # that one, and "check the answers"
    expect(page.get_by_role("alert").first).to_have_text(message("errors_on_page"))
    expect(control(page, "phone")).to_have_value("12345")  # the answer is kept to correct

    patient.press("Next")  # pressing again changes nothing
    expect(heading(page, page_title("about_you"))).to_be_visible()

    patient.fill({"phone": drv.BASELINE[0]["phone"]})
    patient.press("Next")
    expect(heading(page, page_title("where"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert drv.stored_rows(app_server.database_url) == []
