"""Scenario 5: concurrent patients completing the wizard in Chromium against one real server.

One `streamlit run` server (started by tests/browser/conftest.start_server, with its own
SQLite file), one Chromium, one browser context per patient, all driven at the same time
with Playwright's asyncio API. Each patient answers the BASELINE pages by pointer, like
tests/browser/patient.Patient, and presses Next on each page and Submit at the end. Counted:
how many submissions are stored (all of them must be); timed: each Next/Submit from the
click until the app is idle on the new page; measured: the server's resident memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.common import Context, Result, percentile, rss_mb, skipped
from questions import QuestionType, text
from storage import SubmissionStore, open_engine

TIMEOUT_S = 180
RUN_START_S = 60
"""How long the run an answer caused may take to finish (on 2 busy cores, 20 at once)."""
POLL_S = 0.05


def run(ctx: Context) -> list[Result]:
    n = ctx.sizes.patients
    target = f"{n}/{n} stored"
    try:
        from tests.browser import conftest as browser
        from tests.browser import pages
    except ImportError as e:
        return [skipped("patients", f"{n} concurrent patients", f"cannot import: {e}", target)]
    problem = browser.missing_browser()
    if problem is not None:
        return [skipped("patients", f"{n} concurrent patients", problem, target)]
    folder = Path(tempfile.mkdtemp(prefix="patients-", dir=ctx.work_dir))
    process, server = browser.start_server(folder)
    try:
        before = rss_mb(process.pid)
        started = time.perf_counter()
        outcomes = asyncio.run(_all(server.url, n, browser, pages))
        wall = time.perf_counter() - started
        after = rss_mb(process.pid)
    finally:
        browser.stop_server(process)
    stored = _stored(server.database_url)
    steps = [s for o in outcomes if isinstance(o, dict) for s in o["steps"]]
    answers = [s for o in outcomes if isinstance(o, dict) for s in o["answers"]]
    failures = [repr(o)[:300] for o in outcomes if not isinstance(o, dict)]
    p50 = percentile(steps, 50) * 1000 if steps else None
    p95 = percentile(steps, 95) * 1000 if steps else None
    details = {"patients": n, "stored": stored, "failures": failures, "wall_s": wall,
               "step_p50_ms": p50, "step_p95_ms": p95, "steps": len(steps),
               "answer_p50_ms": percentile(answers, 50) * 1000 if answers else None,
               "answer_p95_ms": percentile(answers, 95) * 1000 if answers else None,
               "server_rss_before_mb": before.get("rss_mb"),
               "server_rss_after_mb": after.get("rss_mb"),
               "server_peak_rss_mb": after.get("peak_rss_mb")}
    return [
        Result("patients", f"{n} concurrent Chromium patients stored", "stored", stored,
               target=target, met=stored == n and not failures, details=details),
        Result("patients_step", "patient step (Next/Submit) p95", "ms", p95,
               target="(reported)", details={"p50_ms": p50}),
        Result("patients_rss", "server peak RSS", "MB", after.get("peak_rss_mb"),
               target="(reported)", details={"before_mb": before.get("rss_mb")}),
    ]


def _stored(database_url: str) -> int:
    store = SubmissionStore(open_engine(database_url))
    try:
        return store.count()
    finally:
        store.engine.dispose()


async def _all(url: str, n: int, browser: Any, pages: Any) -> list[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=browser.chromium_path(),
                                                    args=browser.CHROMIUM_ARGS)
        try:
            return await asyncio.gather(
                *(_patient(chromium, url, browser, pages) for _ in range(n)),
                return_exceptions=True,
            )
        finally:
            await chromium.close()


async def _patient(chromium: Any, url: str, browser: Any, pages: Any) -> dict[str, list[float]]:
    context = await chromium.new_context(base_url=url, viewport=browser.DESKTOP)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_S * 1000)
    runs = Runs(page)
    drv = pages.drv
    steps: list[float] = []
    answers: list[float] = []
    try:
        await page.goto("/")
        await _settle(page, pages, runs, 0)
        for index, page_answers in enumerate(drv.BASELINE):
            title = text(drv.intake().form.pages[index].title)
            await pages.heading(page, title).wait_for(timeout=TIMEOUT_S * 1000)
            for qid, value in page_answers.items():
                start = time.perf_counter()
                await _answer(page, pages, runs, qid, value)
                answers.append(time.perf_counter() - start)
            following = (drv.intake().form.pages[index + 1].title
                         if index + 1 < len(drv.BASELINE) else None)
            arrival = text(following) if following else pages.message("review_title")
            steps.append(await _press(page, pages, runs, pages.message("button_next"),
                                      pages.heading(page, arrival)))
        steps.append(await _press(page, pages, runs, pages.message("button_submit"),
                                  pages.heading(page, pages.message("confirmation_title"))))
    finally:
        await context.close()
    return {"steps": steps, "answers": answers}


# ---- an asyncio version of tests/browser/patient.Patient (pointer only) --------------------


class Runs:
    """Script runs the server has finished for one page, counted from its websocket.

    Every run ends with a `script_finished` message; counting those is exact, where the
    page's own state attribute can flip back before anything sees it (a short run).
    """

    def __init__(self, page: Any) -> None:
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            try:
                message.ParseFromString(payload)
            except Exception:  # noqa: BLE001 - not a message of ours: ignore it
                return
            if message.WhichOneof("type") == "script_finished":
                self.finished += 1


async def _settle(page: Any, pages: Any, runs: Runs, before: int | None) -> None:
    """Wait until a run has finished since `before` (if given), then until the page is idle."""
    if before is not None:
        deadline = time.monotonic() + RUN_START_S
        while runs.finished <= before and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
    deadline = time.monotonic() + TIMEOUT_S
    while not await page.evaluate(f"!!document.querySelector({pages.IDLE!r})"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not finish its run in {TIMEOUT_S} s")
        await asyncio.sleep(POLL_S)


async def _press(page: Any, pages: Any, runs: Runs, name: str, arrival: Any) -> float:
    """Click a button; seconds until `arrival` (the next page's heading) shows and the app
    is idle."""
    start = time.perf_counter()
    await pages.button(page, name).click()
    await arrival.wait_for(timeout=TIMEOUT_S * 1000)
    await _settle(page, pages, runs, None)
    return time.perf_counter() - start


async def _click_label(target: Any) -> None:
    """Radios and checkboxes are hidden inputs inside their label: click the label."""
    await target.locator("xpath=ancestor::label[1]").click()


async def _answer(page: Any, pages: Any, runs: Runs, qid: str, value: Any) -> None:
    q = pages.drv.question(qid)
    if q.type is QuestionType.SELECT_MULTIPLE:
        for choice in pages.drv.intake().form.choices(q):
            box = pages.choice_box(page, qid, choice.code)
            if await box.is_checked() != (choice.code in value):
                before = runs.finished
                await _click_label(box)
                await _settle(page, pages, runs, before)
        return
    before = runs.finished
    if q.type is QuestionType.CHECKBOX:
        box = pages.control(page, qid)
        if await box.is_checked() == bool(value):
            return
        await _click_label(box)
    elif q.type is QuestionType.SELECT_ONE or q.widget == "scale":
        target = pages.radio(page, qid, value)
        if await target.is_checked():
            return
        await _click_label(target)
    elif q.type is QuestionType.DATE:
        await _date(page, pages.control(page, qid), value)
    else:
        box = pages.control(page, qid)
        await box.click()
        await box.fill("" if value is None else str(value))
        await page.evaluate("document.activeElement && document.activeElement.blur()")
    await _settle(page, pages, runs, before)


async def _date(page: Any, group: Any, value: dt.date) -> None:
    await group.get_by_role("spinbutton").first.click()
    await page.keyboard.type(f"{value:%m}{value:%d}{value:%Y}")
    widget = group.locator("xpath=ancestor::*[@data-testid='stDateInput'][1]")
    await widget.get_by_test_id("stWidgetLabel").click()
