"""`Download CSV` gives the file a spreadsheet opens: one row per submission matching the
filter, the right cells, and patient text that looks like a formula made harmless."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from .clinician import CLINICIAN, add_clinician, log_in, pick, submit
from .pages import button, open_app

try:  # pytest's default import mode puts tests/ on sys.path
    import baseline as shared
except ImportError:  # pragma: no cover - tests/ made a package
    from tests import baseline as shared

pytestmark = pytest.mark.browser

FORMULA = '=HYPERLINK("http://example.invalid","x")'


def download_csv(page: Any) -> list[dict[str, str]]:
    with page.expect_download() as started:
        button(page, "Download CSV").click()
    download = started.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(io.StringIO(f.read())))


def test_download_csv_has_one_row_per_matching_submission(page: Any, app_server: Any) -> None:
    url = app_server.database_url
    plain = submit(url, shared.answers(goals=FORMULA), "download-1")
    urgent = submit(url, shared.answers(hot_swollen="yes", pain_average=8), "download-2")
    open_app(page, CLINICIAN)
    log_in(page, add_clinician(url, "drdownload"))

    rows = download_csv(page)
    assert len(rows) == 2
    by_reference = {row["reference"]: row for row in rows}
    assert set(by_reference) == {plain.reference, urgent.reference}
    assert by_reference[urgent.reference]["outcome"] == "urgent"
    assert by_reference[urgent.reference]["pain_average"] == "8"
    assert by_reference[plain.reference]["first_name"] == "Maria"
    assert by_reference[plain.reference]["pain_areas___knee_right"] == "1"
    assert by_reference[plain.reference]["goals"] == "'" + FORMULA  # not a formula any more

    pick(page, "Outcome", "urgent")
    assert [row["reference"] for row in download_csv(page)] == [urgent.reference]
