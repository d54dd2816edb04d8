"""A hot, swollen joint: the urgent message appears as soon as the warning-signs page is left.

Not before (not while answering, not on that page), and from then on on every page, the
review and the confirmation; the stored submission is marked urgent.
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


def test_hot_swollen_joint_shows_urgent_message_right_after_warning_signs(
    page: Any, app_server: Any
) -> None:
    open_app(page)
    urgent = page.get_by_role("alert").filter(has_text=message("urgent"))
    shown: dict[str, tuple[bool, bool]] = {}  # page id: (on arrival, once filled in)
    arrival: dict[str, bool] = {}

    def on_arrival(page_id: str) -> None:
        arrival[page_id] = urgent.is_visible()

    def before_next(page_id: str) -> None:
        shown[page_id] = (arrival[page_id], urgent.is_visible())

    Patient(page).walk(drv.baseline(warning_signs={"hot_swollen": "yes"}),
                       on_arrival=on_arrival, before_next=before_next)

    order = [p.id for p in drv.intake().form.pages]
    after = order.index("warning_signs") + 1
    assert shown == {
        page_id: (index >= after, index >= after) for index, page_id in enumerate(order)
    }
    assert shown["treatments"] == (True, True)  # the page right after, as soon as it appears
    expect(urgent).to_be_visible()  # review page
    expect(urgent).to_have_count(1)

    Patient(page).press("Submit")
    expect(heading(page, message("confirmation_title"))).to_be_visible()
    expect(urgent).to_be_visible()
    rows = drv.stored_rows(app_server.database_url)
    assert [row["outcome"] for row in rows] == ["urgent"]
    assert "RF-hot-swollen-joint" in [rule["id"] for rule in rows[0]["rules_fired"]]
