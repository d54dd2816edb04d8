"""A typical knee-OA patient completes every page by keyboard only and gets a reference code.

Keyboard only: Tab / Shift+Tab to reach each control, arrows and Space to choose, typing,
Enter on the buttons. A listener counts pointer events to prove no mouse or touch was used.
"""

from __future__ import annotations

from typing import Any

import pytest

from .pages import expect, heading, message, open_app
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser

COUNT_POINTER_EVENTS = """
window.__pointerEvents = 0;
for (const type of ['pointerdown', 'mousedown', 'touchstart']) {
  window.addEventListener(type, () => { window.__pointerEvents += 1; }, true);
}
"""


def test_typical_patient_completes_every_page_by_keyboard_only(page: Any, app_server: Any) -> None:
    page.add_init_script(COUNT_POINTER_EVENTS)
    open_app(page)
    patient = Patient(page, keyboard=True)

    patient.walk(drv.BASELINE)
    patient.press("Submit")

    expect(heading(page, message("confirmation_title"))).to_be_visible()
    rows = drv.stored_rows(app_server.database_url)
    assert len(rows) == 1
    row = rows[0]
    # one pain area: "which area bothers you most" is answered for the patient
    assert row["answers"] == {**drv.as_stored(drv.BASELINE), "main_area": "knee_right"}
    assert row["outcome"] == "candidate"
    expect(page.get_by_role("heading", name=row["reference"], exact=True)).to_be_visible()
    expect(page.get_by_text(message("confirmation_reference", reference=row["reference"]),
                            exact=True)).to_be_visible()
    expect(page.get_by_text(message("outcome_neutral"), exact=True)).to_be_visible()
    assert page.evaluate("window.__pointerEvents") == 0
