"""Hostile patient text is shown literally: no Markdown image is fetched, no script runs, no
link is made, and the page asks nothing of any host but the app's own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from .clinician import CLINICIAN, add_clinician, log_in, pick, submit, title
from .pages import expect, open_app

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared

pytestmark = pytest.mark.browser

IMAGE = "![x](http://example.invalid/p.png)"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_hostile_text_is_shown_literally_and_nothing_leaves_localhost(
    page: Any, app_server: Any
) -> None:
    url = app_server.database_url
    saved = submit(url, shared.answers(medications=IMAGE, other_conditions=SCRIPT,
                                       goals=FORMULA), "hostile-1")
    outside: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(request.url).hostname not in LOCAL_HOSTS else None)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, CLINICIAN)
    log_in(page, add_clinician(url, "drhostile"))

    pick(page, "Open a submission by reference", saved.reference)

    expect(title(page, f"Submission {saved.reference}")).to_be_visible()
    for hostile in (IMAGE, SCRIPT, FORMULA):
        expect(page.get_by_text(hostile, exact=True)).to_be_visible()
    expect(page.locator("img[src*='example.invalid']")).to_have_count(0)
    expect(page.locator("a[href*='example.invalid']")).to_have_count(0)
    expect(page.locator("main script")).to_have_count(0)
    page.wait_for_timeout(500)  # time for any late request or dialog to show up
    assert outside == []
    assert dialogs == []
