"""Fixtures for the browser tests: the real app server, Debian's Chromium, one page per test.

One server per test module (a fresh SQLite file each), one Chromium for the whole session,
a fresh browser context (cookies, storage, viewport) per test. Without Chromium or
Playwright the tests skip with the reason; with INTAKE_REQUIRE_BROWSER=1 (CI) they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from storage import open_engine

from .pages import ARTIFACTS, ROOT, RUN_COUNTER, expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FAILURES = ARTIFACTS / "failures"
SKIP_REASON = "browser tests need Chromium at /usr/bin/chromium and Playwright (CI installs them)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_SECONDS = 60
DESKTOP = {"width": 1280, "height": 900}


def chromium_path() -> str:
    return os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium")


def missing_browser() -> str | None:
    """What is missing to run the browser tests, or None."""
    if expect is None:
        return "Playwright for Python is not installed"
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)) and not shutil.which(path):
        return f"no Chromium at {path}"
    return None


def skip_or_fail(problem: str) -> None:
    """Skip on a machine without a browser; fail where the browser tests are mandatory (CI)."""
    if os.environ.get("INTAKE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"INTAKE_REQUIRE_BROWSER=1 but {problem}: {SKIP_REASON}")
    pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium, skipped (or, with INTAKE_REQUIRE_BROWSER=1, failed) when it cannot run."""
    problem = missing_browser()
    if problem is not None:
        skip_or_fail(problem)
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe(browser: Browser) -> Any:
    """axe-core, as bundled by axe-playwright-python."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed")
    return Axe()


# ---- the app server -----------------------------------------------------------------------


@dataclass(frozen=True)
class AppServer:
    url: str
    database_url: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], AppServer]:
    """`streamlit run intake_app.py` on a free port with its own SQLite file; waits for health."""
    database_url = f"sqlite:///{folder / 't.db'}"
    open_engine(database_url).dispose()  # schema in place before two processes use the file
    port = free_port()
    log = folder / "server.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "intake_app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",  # nothing listens beyond this machine
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    environment = {**os.environ, "INTAKE_DATABASE_URL": database_url}
    environment.pop("INTAKE_SHOW_OUTCOME_MESSAGE", None)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = AppServer(f"http://127.0.0.1:{port}", database_url, log)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not healthy(server.url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(f"the app server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return process, server


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app on a free port with a fresh database, for the tests of one module."""
    process, server = start_server(tmp_path_factory.mktemp("app"))
    try:
        yield server
    finally:
        stop_server(process)


# ---- pages ------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can tell that a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def open_page(
    browser: Browser, app_server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Open a fresh context and page on the app (keyword arguments go to new_context)."""
    contexts = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=app_server.url, **options)
        context.add_init_script(RUN_COUNTER)
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:  # what the page looked like, for the log
            FAILURES.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            for page in context.pages:
                try:
                    page.screenshot(path=FAILURES / f"{name}-{number}.png", full_page=True)
                except Exception:  # noqa: BLE001 - a failed screenshot must not hide the failure
                    pass
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop-sized page on the app's server (not yet navigated)."""
    return open_page()

