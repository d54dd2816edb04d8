"""Page helpers for the browser tests: wait for Streamlit, find questions, answer like a person.

Questions are found the way a person finds them: by their visible label (from the
questionnaire definition, so a reworded label changes here too) and the role of the control
(textbox, spinbutton, radiogroup, checkbox, button). A `Patient` (patient.py) answers by keyboard
only (Tab / Shift+Tab to reach a control, arrows and Space to choose, typing, Enter on
buttons) or by pointer (click, or tap on a touch screen).

Waiting: every interaction that changes a value makes the page ask the server for a rerun
of the script. Streamlit's app element carries `data-test-script-state` (`running` /
`notRunning`, checked in 1.67's frontend bundle), but a short run can start and end within
one React render, so the attribute alone cannot tell "done" from "not started yet". An init
script therefore counts, on the page's WebSocket, the rerun requests the page sends
(BackMsg field 11, `rerun_script`) and the "script finished" messages it receives
(ForwardMsg field 6); after an action we wait for its request, for a finish after it, and
for the attribute to say `notRunning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from questions import Question, QuestionType, text

try:  # pytest's default import mode puts tests/ on sys.path
    import wizard_driver as drv
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import wizard_driver as drv

try:  # a machine without Playwright still collects this module; conftest skips or fails
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the machine
    PlaywrightTimeout = Exception  # type: ignore[assignment,misc]
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
"""new_context options of a phone-sized screen (390x844, touch)."""

IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
"""The app is connected to the server and shows no script run going on."""
TIMEOUT_MS = 30_000
POLL_MS = 25
RUN_START_MS = 3_000
"""How long an action that changed a value may take to ask for its rerun (it is sent in the
same event, so this is only ever spent when nothing was asked)."""

RUN_COUNTER = """
(() => {
  // Top-level protobuf fields of a message: [[field, wire type, varint value], ...].
  const fields = (data) => {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : null;
    if (bytes === null) return [];
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1;
      while (i < bytes.length) {
        const b = bytes[i++];
        value += (b & 0x7f) * scale;
        scale *= 128;
        if (!(b & 0x80)) break;
      }
      return value;
    };
    const found = [];
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) found.push([field, wire, varint()]);
      else if (wire === 2) { const n = varint(); found.push([field, wire, null]); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return found;
  };
  const RERUN_SCRIPT = 11, SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2;
  const st = window.__st = {event: 0, requests: 0, lastRequest: 0, lastFinish: 0};
  const Native = window.WebSocket;
  class CountingWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        for (const [field, , value] of fields(event.data)) {
          if (field === SCRIPT_FINISHED && value !== FINISHED_EARLY_FOR_RERUN) {
            st.lastFinish = ++st.event;
          }
        }
      });
    }
    send(data) {
      if (fields(data).some(([field]) => field === RERUN_SCRIPT)) {
        st.requests += 1;
        st.lastRequest = ++st.event;
      }
      return super.send(data);
    }
  }
  window.WebSocket = CountingWebSocket;
})();
"""
"""Added to every browser context (conftest): counts rerun requests and finished runs."""

SETTLED = f"""() => {{
  const st = window.__st;
  return !!st && st.lastFinish > st.lastRequest && !!document.querySelector({IDLE!r});
}}"""


# ---- waiting ---------------------------------------------------------------------------


def run_count(page: Page) -> int:
    """Rerun requests the page has sent so far."""
    return int(page.evaluate("window.__st ? window.__st.requests : 0"))


def settle(page: Page, runs_before: int | None = None) -> None:
    """Wait until the rerun asked for since `runs_before` (if any) has finished."""
    if runs_before is not None:
        try:
            page.wait_for_function(
                f"() => (window.__st ? window.__st.requests : 0) > {runs_before}",
                polling=POLL_MS, timeout=RUN_START_MS)
        except PlaywrightTimeout:
            pass  # this action asked for no rerun (the value had not changed)
    page.wait_for_function(SETTLED, polling=POLL_MS, timeout=TIMEOUT_MS)


def open_app(page: Page, path: str = "/") -> None:
    """Load a page of the app and wait for its first run to finish."""
    page.goto(path)
    settle(page, 0)


def activate(page: Page, target: Locator) -> None:
    """Click something that reruns the script (a button, an option) and wait for the run."""
    runs = run_count(page)
    target.click()
    settle(page, runs)


# ---- what the patient sees ----------------------------------------------------------------


def message(message_id: str, **values: Any) -> str:
    return drv.message(message_id, **values)


def label(q: Question) -> str:
    """The label as shown: optional questions carry the "(optional)" note."""
    return text(q.label) + ("" if q.required else f" {message('optional')}")


def choice_label(q: Question, code: str) -> str:
    return drv.intake().form.choice_label(q, code)


def page_title(page_id: str) -> str:
    return drv.page_title(page_id)


def heading(page: Page, name: str) -> Locator:
    """A page's title (st.header renders a level-2 heading)."""
    return page.get_by_role("heading", level=2, name=name, exact=True)


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def control(page: Page, qid: str) -> Locator:
    """The control of a question, by its role and its label."""
    q = drv.question(qid)
    name = label(q)
    if q.type is QuestionType.TEXT:
        return page.get_by_role("textbox", name=name, exact=True)
    if q.type is QuestionType.DATE:
        return page.get_by_role("group", name=name, exact=True)
    if q.type is QuestionType.CHECKBOX:
        return page.get_by_role("checkbox", name=name, exact=True)
    if q.type is QuestionType.SELECT_MULTIPLE:
        return multi_choice_question(page, q)
    if q.type is QuestionType.SELECT_ONE or q.widget == "scale":
        return page.get_by_role("radiogroup", name=name, exact=True)
    return page.get_by_role("spinbutton", name=name, exact=True)


def multi_choice_question(page: Page, q: Question) -> Locator:
    """The bold line that asks a choose-all question.

    A multi-select is drawn as that line followed by one checkbox per choice, with no
    group role or name that ties them together (see the report on issue 7), so the line is
    found by its text inside Streamlit's element wrapper (data-testid: no role fits).
    """
    return page.locator('[data-testid="stElementContainer"]').filter(
        has=page.get_by_text(label(q), exact=True)
    )


def choice_box(page: Page, qid: str, code: str) -> Locator:
    """The checkbox of one choice: the first with that name after the question's line (two
    questions on the health page both offer "None of these")."""
    q = drv.question(qid)
    following = multi_choice_question(page, q).locator("xpath=following-sibling::*")
    return following.get_by_role("checkbox", name=choice_label(q, code), exact=True).first


def radio(page: Page, qid: str, value: Any) -> Locator:
    q = drv.question(qid)
    name = str(value) if q.type is QuestionType.INTEGER else choice_label(q, value)
    return control(page, qid).get_by_role("radio", name=name, exact=True)


def shown_question_ids(page: Page, qids: Iterable[str]) -> list[str]:
    """Which of these questions have a control on the page now."""
    return [qid for qid in qids if control(page, qid).count()]


def first_alert_after(page: Page, qid: str) -> Locator:
    """The first alert that follows a question's control on the page (where the wizard puts
    the question's error)."""
    return control(page, qid).locator("xpath=following::*[@role='alert'][1]")


def comes_before(first: Locator, second: Locator) -> bool:
    """Whether `first` is above `second` in the page (document order)."""
    return bool(first.evaluate(
        "(a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        second.element_handle(),
    ))


@contextmanager
def whole_page_in_view(page: Page) -> Iterator[None]:
    """Make the window as tall as the content for a while.

    Streamlit scrolls inside its own container, so a "full page" screenshot would stop at
    the window, and axe-core cannot judge the contrast of text outside the window (it
    reports it as "incomplete", not as a violation).
    """
    size = page.viewport_size or {"width": 1280, "height": 900}
    tallest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"],
                            "height": max(size["height"], min(int(tallest) + 40, 12_000))})
    try:
        page.wait_for_timeout(200)  # let the layout follow the new size
        yield
    finally:
        page.set_viewport_size(size)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    with whole_page_in_view(page):
        page.screenshot(path=path)
    return path
