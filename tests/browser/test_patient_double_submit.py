"""A fast double click on Submit stores exactly one submission.

Streamlit keeps the button clickable while the script runs; the guarantee is the form's
submission key (UNIQUE in the database), and this checks it end to end in a browser.
"""

from __future__ import annotations

from typing import Any

import pytest

from .pages import button, expect, heading, message, open_app, settle
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser


def double_click(page: Any) -> None:
    button(page, message("button_submit")).dblclick()


def two_clicks_without_waiting(page: Any) -> None:
    submit = button(page, message("button_submit"))
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.mouse.click(x, y)  # the same spot, before the first click's run is done


@pytest.mark.parametrize("clicks", [double_click, two_clicks_without_waiting])
def test_fast_double_click_on_submit_stores_exactly_one_record(
    page: Any, app_server: Any, clicks: Any
) -> None:
    before = {row["reference"] for row in drv.stored_rows(app_server.database_url)}
    open_app(page)
    Patient(page).walk(drv.BASELINE)

    clicks(page)

    expect(heading(page, message("confirmation_title"))).to_be_visible()
    settle(page)
    page.wait_for_timeout(1000)  # time for a second click's run to arrive, if it were to
    settle(page)
    new = [row for row in drv.stored_rows(app_server.database_url)
           if row["reference"] not in before]
    assert len(new) == 1
    expect(page.get_by_role("heading", name=new[0]["reference"], exact=True)).to_be_visible()
    expect(button(page, message("button_submit"))).to_have_count(0)
    expect(page.get_by_text(message("submitting_failed"))).to_have_count(0)
