"""The clinician area in the browser tests: accounts, stored submissions, log in, select boxes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from storage import Saved, SubmissionStore, open_engine

from .pages import activate, button, drv, expect, run_count, settle

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CLINICIAN = "/clinician"
CLINICIAN_PASSWORD = "correct horse battery staple"


def add_clinician(database_url: str, username: str) -> str:
    """A clinician account (through access.accounts, as `intake add-user` does)."""
    from access import create_user

    engine = open_engine(database_url)
    try:
        create_user(engine, username, CLINICIAN_PASSWORD, dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    return username


def submit(database_url: str, answers: Mapping[str, Any], key: str) -> Saved:
    """Store a submission the way the wizard does (validate, screen, save)."""
    store = SubmissionStore(open_engine(database_url))
    try:
        return drv.intake().submit(store, answers, key)
    finally:
        store.engine.dispose()


def title(page: Page, name: str) -> Locator:
    """A clinician page's title (st.title renders a level-1 heading)."""
    return page.get_by_role("heading", level=1, name=name, exact=True)


def log_in(page: Page, username: str, password: str = CLINICIAN_PASSWORD) -> None:
    """Fill the login form (already on the page) and press Log in."""
    page.get_by_role("textbox", name="Username", exact=True).fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    activate(page, button(page, "Log in"))


def pick(page: Page, field: str, option: str) -> None:
    """Choose an option of a select box or multiselect (a combobox with a listbox)."""
    runs = run_count(page)
    open_list(page, field).get_by_role("option", name=option, exact=True).click()
    if page.get_by_role("listbox").count():  # a multiselect stays open for more choices
        page.keyboard.press("Escape")
    settle(page, runs)


def open_list(page: Page, field: str) -> Locator:
    """Open a combobox's list. It is brought to the middle of the window first: a list that
    opens at the window's edge scrolls the page, and scrolling closes it again."""
    box = page.get_by_role("combobox", name=field, exact=True)
    box.evaluate("e => e.scrollIntoView({block: 'center'})")
    box.click()
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    return listbox


def options(page: Page, field: str) -> list[str]:
    """The options a select box offers now (opened and closed again, nothing chosen)."""
    listbox = open_list(page, field)
    names = listbox.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    expect(listbox).to_have_count(0)
    return [n.strip() for n in names]
