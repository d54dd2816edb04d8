"""The typical patient completes the questionnaire on a phone-sized touch screen (390x844)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .pages import PHONE, expect, heading, message, open_app
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser


def test_typical_patient_completes_on_a_phone_sized_touch_screen(
    open_page: Callable[..., Any], app_server: Any
) -> None:
    page = open_page(**PHONE)
    open_app(page)
    patient = Patient(page, touch=True)
    widths: dict[str, int] = {}

    def no_sideways_scrolling(page_id: str) -> None:
        widths[page_id] = page.evaluate("document.documentElement.scrollWidth")

    patient.walk(drv.BASELINE, before_next=no_sideways_scrolling)
    patient.press("Submit")

    expect(heading(page, message("confirmation_title"))).to_be_visible()
    rows = drv.stored_rows(app_server.database_url)
    assert len(rows) == 1
    assert rows[0]["answers"] == {**drv.as_stored(drv.BASELINE), "main_area": "knee_right"}
    expect(page.get_by_role("heading", name=rows[0]["reference"], exact=True)).to_be_visible()
    assert widths == {p.id: 390 for p in drv.intake().form.pages}
