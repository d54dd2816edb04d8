"""Accessibility: axe-core on every page people see; no `serious` or `critical` violation.

Runs axe-core (bundled by axe-playwright-python) on each wizard page (once filled in, and
the first page with its error messages), the review page, the confirmation, the clinician
login page and the dashboard (list, charts, one submission). Violations that come from
Streamlit's own markup, which we cannot change, are listed in STREAMLIT_VIOLATIONS with the
upstream issue and excluded by exact rule id and element; anything else fails the test.
Screenshots of every page go to test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .clinician import CLINICIAN, add_clinician, log_in, pick, submit, title
from .pages import (
    activate,
    expect,
    heading,
    message,
    open_app,
    screenshot,
    settle,
    whole_page_in_view,
)
from .patient import Patient

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared
    from tests import wizard_driver as drv

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class KnownViolation:
    """A violation in Streamlit's own markup: excluded only for this rule and this element."""

    rule: str
    target: str
    """The element as axe names it (its CSS selector path, joined with " > " for frames)."""
    upstream: str
    why: str


STREAMLIT_VIOLATIONS: list[KnownViolation] = []
"""None with Streamlit 1.67 and axe-core 4.12: every serious or critical violation found on
these pages so far was ours to fix. Add one here only with its upstream issue."""


def blocking_violations(results: Any) -> list[str]:
    """Serious and critical violations, minus the listed Streamlit ones, one line per element."""
    known = {(k.rule, k.target) for k in STREAMLIT_VIOLATIONS}
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " > ".join(str(t) for t in node["target"])
            if (violation["id"], target) in known:
                continue
            lines.append(f"{violation['id']} ({violation['impact']}): {target}\n"
                         f"    {node['html'][:300]}\n    {node.get('failureSummary', '')}")
    return lines


def check(axe: Any, page: Any, name: str, found: dict[str, list[str]]) -> None:
    """Record the page's blocking violations under `name`, and save its screenshot."""
    settle(page)
    with whole_page_in_view(page):  # axe judges contrast only for text inside the window
        found[name] = blocking_violations(axe.run(page))
        screenshot(page, name)


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"[{name}] {line}" for name, lines in found.items() for line in lines)


def test_every_patient_page_has_no_serious_violations(page: Any, axe: Any) -> None:
    found: dict[str, list[str]] = {}
    open_app(page)
    patient = Patient(page)
    patient.press(message("button_next"))  # the first page with every "please answer" error
    expect(page.get_by_text(message("errors_on_page"), exact=True)).to_be_visible()
    check(axe, page, "patient-01-about_you-errors", found)

    pages = [p.id for p in drv.intake().form.pages]
    patient.walk(
        drv.BASELINE,
        before_next=lambda page_id: check(
            axe, page, f"patient-{pages.index(page_id) + 1:02d}-{page_id}", found),
    )
    check(axe, page, f"patient-{len(pages) + 1:02d}-review", found)
    patient.press(message("button_submit"))
    expect(heading(page, message("confirmation_title"))).to_be_visible()
    check(axe, page, f"patient-{len(pages) + 2:02d}-confirmation", found)

    assert set(found) >= {f"patient-{i + 1:02d}-{p}" for i, p in enumerate(pages)}
    assert not report(found), "axe found serious or critical violations:\n" + report(found)


def test_clinician_login_dashboard_and_detail_have_no_serious_violations(
    page: Any, axe: Any, app_server: Any
) -> None:
    url = app_server.database_url
    saved = submit(url, shared.answers(hot_swollen="yes"), "a11y-urgent")
    submit(url, shared.answers(), "a11y-candidate")
    found: dict[str, list[str]] = {}
    open_app(page, CLINICIAN)
    expect(title(page, "Clinician login")).to_be_visible()
    check(axe, page, "clinician-01-login", found)

    log_in(page, add_clinician(url, "dra11y"))
    expect(title(page, "Submissions")).to_be_visible()
    check(axe, page, "clinician-02-dashboard", found)

    activate(page, page.get_by_role("tab", name="Charts", exact=True))
    # data-testid: a Vega-Lite chart has no role or name to wait for
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    check(axe, page, "clinician-03-charts", found)

    activate(page, page.get_by_role("tab", name="Table", exact=True))
    pick(page, "Open a submission by reference", saved.reference)
    expect(title(page, f"Submission {saved.reference}")).to_be_visible()
    check(axe, page, "clinician-04-submission", found)

    assert not report(found), "axe found serious or critical violations:\n" + report(found)
