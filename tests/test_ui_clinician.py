"""AppTest: the clinician area at /clinician — login, lockout, idle timeout, dashboard, detail,
status changes, downloads, the audit trail, and patient text shown as plain text only.

Each test has its own SQLite file (INTAKE_DATABASE_URL; ui.resources caches per URL). The
clock is moved by rewriting stored times (failures) or session state (last activity).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from streamlit.testing.v1 import AppTest

from access import LOGIN_REFUSED, create_user
from access.sessions import LAST_ACTIVITY_KEY, USER_KEY
from intake_pipeline import Intake
from storage import SubmissionStore, audit
from storage.db import write
from storage.queries import SubmissionFilter
from storage.schema import login_failures
from storage.status import history
from ui.clinician_downloads import file_builder

APP = str(Path(__file__).resolve().parent.parent / "intake_app.py")
LOGIN_PAGE = "ui/clinician_login_page.py"
DASHBOARD_PAGE = "ui/clinician_dashboard_page.py"
NAME, PASSWORD = "drsmith", "correct horse battery staple"
IMAGE = "![x](http://example.invalid/p.png)"
SCRIPT = "<script>alert(1)</script>"
PLAIN_TEXT_ELEMENTS = {"text", "code", "dataframe"}
T_SUBMITTED = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


pytestmark = pytest.mark.usefixtures("app_db_url")  # the app and `engine` share one database


@pytest.fixture
def clinician(engine: Engine) -> str:
    create_user(engine, NAME, PASSWORD, dt.datetime.now(dt.UTC))
    return NAME


@pytest.fixture
def refs(engine: Engine, intake: Intake, valid_answers: dict[str, Any],
         clinician: str) -> dict[str, str]:
    """Four submissions: a candidate, an urgent one, and two with hostile patient text."""
    store = SubmissionStore(engine)
    variants = {
        "candidate": {},
        "urgent": {"hot_swollen": "yes"},
        "image": {"goals": IMAGE},
        "script": {"first_name": SCRIPT, "signature": f"{SCRIPT} Lopez", "goals": SCRIPT},
    }
    saved = {}
    for i, (name, changes) in enumerate(variants.items()):
        at = T_SUBMITTED + dt.timedelta(hours=i)
        saved[name] = intake.submit(store, {**valid_answers, **changes}, f"key-{name}", at)
    assert saved["urgent"].outcome == "urgent"
    return {name: s.reference for name, s in saved.items()} | {
        f"{name}_id": s.id for name, s in saved.items()}


# ---- driving the app -----------------------------------------------------------------


def open_clinician() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.switch_page(LOGIN_PAGE).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def log_in(at: AppTest, name: str = NAME, password: str = PASSWORD) -> AppTest:
    at.text_input(key="clinician_login_username").input(name)
    at.text_input(key="clinician_login_password").input(password)
    button(at, "Log in").click().run()
    ok(at)
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def on_login_page(at: AppTest) -> bool:
    labels = [t.label for t in at.text_input]
    return titles(at) == ["Clinician login"] and labels == ["Username", "Password"]


def on_dashboard(at: AppTest) -> bool:
    return titles(at) == ["Submissions"]


def table_references(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Reference"])


def open_reference(at: AppTest, reference: str) -> AppTest:
    at.selectbox(key="clinician_pick").select(reference).run()
    ok(at)
    assert titles(at) == [f"Submission {reference}"]
    return at


def nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from nodes(child)


def content(node: Any) -> str:
    """Everything an element would show: a dataframe's cells, else its whole message."""
    if getattr(node, "type", None) == "dataframe":
        return node.value.to_csv()
    return str(getattr(node, "proto", ""))


def tree_text(at: AppTest) -> str:
    return "\n".join(content(n) for n in nodes(at._tree))


def shown_in(at: AppTest, needle: str) -> set[str]:
    """The element types whose content contains `needle`."""
    return {n.type for n in nodes(at._tree) if needle in content(n)}


def entries(engine: Engine, action: str) -> list[audit.AuditEntry]:
    return audit.latest(engine, 1000, action=action)


# ---- login ---------------------------------------------------------------------------


def test_without_login_only_the_login_form_is_shown(refs: dict[str, str]) -> None:
    at = open_clinician()
    assert on_login_page(at)
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe and not at.metric and not at.get("download_button")
    everything = tree_text(at)
    for name in ("candidate", "urgent", "image", "script"):
        assert refs[name] not in everything
    assert "Maria" not in everything and IMAGE not in everything


def test_the_dashboard_is_not_registered_without_login(refs: dict[str, str]) -> None:
    at = open_clinician()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(DASHBOARD_PAGE)
    log_in(at)
    at.switch_page(DASHBOARD_PAGE).run()  # registered now
    assert on_dashboard(at)


def test_login_success_shows_the_dashboard_urgent_first(engine: Engine,
                                                        refs: dict[str, str]) -> None:
    at = log_in(open_clinician())
    assert on_dashboard(at)
    references = table_references(at)
    assert references[0] == refs["urgent"]
    assert sorted(references) == sorted(refs[n] for n in ("candidate", "urgent", "image",
                                                          "script"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Urgent"] == "1" and metrics["Status: new"] == "4"
    assert any("urgent" in e.value for e in at.error)
    assert [b.label for b in at.get("download_button")] == [
        "Download CSV", "Download labels CSV", "Download data dictionary", "Download FHIR"]
    [success] = entries(engine, audit.LOGIN_SUCCESS)
    assert success.user == NAME


@pytest.mark.parametrize(("name", "password"), [(NAME, "wrong password, sorry"),
                                                ("nobody", PASSWORD)])
def test_a_refused_login_gets_the_generic_message(engine: Engine, clinician: str,
                                                  name: str, password: str) -> None:
    at = log_in(open_clinician(), name, password)
    assert on_login_page(at)
    assert [e.value for e in at.error] == [LOGIN_REFUSED]
    assert USER_KEY not in at.session_state
    assert len(entries(engine, audit.LOGIN_FAILURE)) == 1


def test_lockout_after_five_failures_and_release_after_the_window(
    engine: Engine, clinician: str
) -> None:
    at = open_clinician()
    for _ in range(5):
        log_in(at, NAME, "wrong password, sorry")
        assert [e.value for e in at.error] == [LOGIN_REFUSED]
    log_in(at)  # the right password, but locked: the same message
    assert on_login_page(at) and [e.value for e in at.error] == [LOGIN_REFUSED]
    [lockout] = entries(engine, audit.LOCKOUT)
    assert lockout.user == NAME
    move_failures_back(engine, dt.timedelta(minutes=16))
    log_in(at)
    assert on_dashboard(at)


def move_failures_back(engine: Engine, by: dt.timedelta) -> None:
    """Pretend the failures happened earlier (the lockout window is then over)."""
    with write(engine) as conn:
        for row in conn.execute(select(login_failures)).mappings().all():
            values = {"failed_at": row["failed_at"] - by}
            if row["locked_until"] is not None:
                values["locked_until"] = row["locked_until"] - by
            conn.execute(update(login_failures).where(login_failures.c.id == row["id"])
                         .values(**values))


# ---- session -------------------------------------------------------------------------


@pytest.mark.parametrize(("idle_minutes", "still_in"), [(14, True), (16, False)])
def test_idle_timeout(engine: Engine, refs: dict[str, str], idle_minutes: int,
                      still_in: bool) -> None:
    at = log_in(open_clinician())
    at.session_state[LAST_ACTIVITY_KEY] = (dt.datetime.now(dt.UTC)
                                           - dt.timedelta(minutes=idle_minutes))
    at.run()
    ok(at)
    assert on_dashboard(at) is still_in
    assert on_login_page(at) is not still_in
    if not still_in:
        assert any("15 minutes without activity" in i.value for i in at.info)
        assert USER_KEY not in at.session_state
        assert refs["urgent"] not in tree_text(at)
        [expired] = entries(engine, audit.SESSION_EXPIRED)
        assert expired.user == NAME


def test_log_out_ends_the_session(engine: Engine, refs: dict[str, str]) -> None:
    at = log_in(open_clinician())
    open_reference(at, refs["candidate"])
    button(at, "Log out").click().run()
    ok(at)
    assert on_login_page(at)
    assert not [k for k in at.session_state if str(k).startswith("clinician_")
                and not str(k).startswith("clinician_login")]
    assert refs["candidate"] not in tree_text(at)
    assert [e.user for e in entries(engine, audit.LOGOUT)] == [NAME]


# ---- detail, status, downloads -------------------------------------------------------


def test_opening_a_submission_shows_it_and_is_audited_once(engine: Engine,
                                                           refs: dict[str, str]) -> None:
    at = open_reference(log_in(open_clinician()), refs["urgent"])
    headers = [h.value for h in at.header]
    assert headers == ["Screening", "Answers", "Calculated fields", "Status history",
                       "Screening history"]
    everything = tree_text(at)
    assert "RF-hot-swollen-joint" in everything
    assert "Where do you have pain? Choose all that apply." in everything  # question label
    assert "Right knee" in everything  # the answer as a label, not a code
    assert "Age (years)" in everything  # calculated fields
    at.run()  # a rerun is not another view
    [view] = entries(engine, audit.VIEW)
    assert (view.user, view.record_ids) == (NAME, (refs["urgent_id"],))


def test_status_change_records_user_and_time(engine: Engine, refs: dict[str, str]) -> None:
    at = open_reference(log_in(open_clinician()), refs["urgent"])
    sid = refs["urgent_id"]
    before = dt.datetime.now(dt.UTC)
    at.selectbox(key=f"clinician_status_{sid}").select("contacted")
    at.text_area(key=f"clinician_status_note_{sid}").input("Called; coming in today.")
    button(at, "Save status").click().run()
    ok(at)
    after = dt.datetime.now(dt.UTC)
    [change] = history(engine, sid)
    assert (change.user, change.from_status, change.to_status, change.note) == (
        NAME, "new", "contacted", "Called; coming in today.")
    assert before <= change.at <= after
    assert [s.value for s in at.success] == ["Status saved: contacted."]
    shown = [d.value for d in at.dataframe if "Who" in d.value.columns]
    assert list(shown[0]["Who"]) == [NAME]
    [entry] = entries(engine, audit.STATUS_CHANGE)
    assert (entry.user, entry.record_ids) == (NAME, (sid,))
    assert before <= entry.at <= after


def test_downloads_are_built_on_click_and_audited(engine: Engine, intake: Intake,
                                                  refs: dict[str, str]) -> None:
    at = log_in(open_clinician())
    buttons = at.get("download_button")
    assert all(b.proto.deferred_file_id for b in buttons)  # data is a callable: built on click
    assert not entries(engine, audit.DOWNLOAD)  # drawing the buttons exported nothing
    flt = SubmissionFilter(outcomes=("urgent",))
    data = file_builder(engine, intake.form, flt, NAME, "csv")()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["reference"] for r in rows] == [refs["urgent"]]
    [entry] = entries(engine, audit.DOWNLOAD)
    assert (entry.user, entry.count) == (NAME, 1)
    assert entry.detail == "format=csv; filter: outcomes=urgent"


# ---- table ---------------------------------------------------------------------------


def test_filters_narrow_the_table(refs: dict[str, str]) -> None:
    at = log_in(open_clinician())
    at.multiselect(key="clinician_f_outcomes").select("urgent").run()
    assert table_references(at) == [refs["urgent"]]
    at.multiselect(key="clinician_f_outcomes").unselect("urgent").run()
    at.text_input(key="clinician_f_text").input(refs["image"].lower()).run()
    assert table_references(at) == [refs["image"]]
    at.text_input(key="clinician_f_text").input("lopez").run()
    assert len(table_references(at)) == 4
    at.multiselect(key="clinician_f_areas").select("hip_left").run()
    assert table_references(at) == []
    ok(at)


def test_the_table_is_paged(engine: Engine, intake: Intake, valid_answers: dict[str, Any],
                            clinician: str) -> None:
    store = SubmissionStore(engine)
    for i in range(120):
        intake.submit(store, valid_answers | {"first_name": "Maria", "pain_average": i % 11},
                      f"bulk-{i}", T_SUBMITTED + dt.timedelta(minutes=i))
    at = log_in(open_clinician())
    assert len(at.dataframe[0].value) == 50
    assert any("120 submission(s) match" in c.value and "page 1 of 3" in c.value
               for c in at.caption)
    at.number_input(key="clinician_page_no").set_value(3).run()
    ok(at)
    assert len(at.dataframe[0].value) == 20


def charts(at: AppTest) -> list[Any]:
    return [n for n in nodes(at._tree) if "vega" in str(getattr(n, "type", ""))]


def test_charts_are_drawn_only_when_their_tab_is_open(refs: dict[str, str]) -> None:
    at = log_in(open_clinician())
    assert not charts(at) and at.dataframe  # the table tab is open: no chart computed
    at.session_state["clinician_tab"] = "Charts"
    at.run()
    ok(at)
    assert len(charts(at)) == 3 and not at.dataframe
    drawn = "".join(content(n) for n in charts(at))
    assert "Right knee" in drawn and "Left hip" in drawn  # area labels from the form
    assert "Submissions per week, by outcome" in drawn


# ---- plain text ----------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "needle"), [("image", IMAGE), ("script", SCRIPT)])
def test_patient_text_is_rendered_as_plain_text_only(refs: dict[str, str], variant: str,
                                                     needle: str) -> None:
    at = log_in(open_clinician())
    seen_on_list = shown_in(at, needle)
    assert seen_on_list <= PLAIN_TEXT_ELEMENTS
    open_reference(at, refs[variant])
    seen = shown_in(at, needle)
    assert "text" in seen  # shown, literally
    assert seen <= PLAIN_TEXT_ELEMENTS, f"{needle!r} reached {seen - PLAIN_TEXT_ELEMENTS}"
    assert needle not in "".join(m.value for m in at.markdown)
    assert needle not in "".join(c.value for c in at.caption)
