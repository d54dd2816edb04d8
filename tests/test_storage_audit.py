"""The audit log: entries round-trip, nothing can change or remove one, CSV export is safe."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from exports.audit import write_audit_csv
from storage import audit
from storage.db import write

T0 = dt.datetime(2026, 11, 26, 9, 30, 15, tzinfo=dt.UTC)


def test_entries_round_trip_oldest_first(engine: Engine):
    audit.record(engine, "drsmith", audit.LOGIN_SUCCESS, T0)
    audit.record(engine, "drsmith", audit.VIEW, T0 + dt.timedelta(seconds=5), ["id-1"])
    audit.record(engine, "drsmith", audit.DOWNLOAD, T0 + dt.timedelta(seconds=9), count=42,
                 detail="format=csv")
    entries = list(audit.stream(engine))
    assert [(e.user, e.action, e.record_ids, e.count, e.detail) for e in entries] == [
        ("drsmith", audit.LOGIN_SUCCESS, (), None, ""),
        ("drsmith", audit.VIEW, ("id-1",), None, ""),
        ("drsmith", audit.DOWNLOAD, (), 42, "format=csv"),
    ]
    assert entries[0].at == T0 and entries[0].at.tzinfo is not None
    assert audit.count(engine) == 3


def test_times_are_stored_as_utc(engine: Engine):
    berlin = dt.timezone(dt.timedelta(hours=1))
    audit.record(engine, "drsmith", audit.LOGOUT, dt.datetime(2026, 11, 26, 10, 30, 15,
                                                              tzinfo=berlin))
    assert audit.latest(engine, 1)[0].at == T0


def test_bad_entries_are_refused(engine: Engine):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(engine, "drsmith", "deleted_everything", T0)
    with pytest.raises(ValueError, match="aware"):
        audit.record(engine, "drsmith", audit.LOGOUT, T0.replace(tzinfo=None))
    assert audit.count(engine) == 0


def test_the_module_offers_no_way_to_change_an_entry():
    public = {name for name in dir(audit) if not name.startswith("_")}
    assert not {n for n in public if n.startswith(("update", "delete", "remove", "clear",
                                                    "edit", "purge", "truncate"))}


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET username = 'someone else'",
                                       "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_entries(engine: Engine, statement: str):
    audit.record(engine, "drsmith", audit.VIEW, T0, ["id-1"])
    with pytest.raises(DatabaseError, match="append-only"):
        with write(engine) as conn:
            conn.execute(text(statement))
    assert [e.user for e in audit.stream(engine)] == ["drsmith"]


def test_an_entry_written_in_a_transaction_rolls_back_with_it(engine: Engine):
    with pytest.raises(RuntimeError):
        with write(engine) as conn:
            audit.record(conn, "drsmith", audit.STATUS_CHANGE, T0, ["id-1"])
            raise RuntimeError("the status change failed")
    assert audit.count(engine) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_log SET username = 'someone else'",
                                       "DELETE FROM audit_log", "TRUNCATE audit_log"])
def test_postgresql_refuses_to_change_entries(pg_engine: Engine, statement: str):
    audit.record(pg_engine, "drsmith", audit.VIEW, T0, ["id-1"])
    with pytest.raises(DatabaseError, match="append-only"):
        with write(pg_engine) as conn:
            conn.execute(text(statement))
    assert [(e.user, e.at) for e in audit.stream(pg_engine)] == [("drsmith", T0)]


def test_audit_csv_is_exact_and_formula_safe(engine: Engine):
    audit.record(engine, "drsmith", audit.LOGIN_SUCCESS, T0)
    audit.record(engine, "drsmith", audit.DOWNLOAD, T0, count=3, detail="=HYPERLINK(\"x\")")
    audit.record(engine, "@evil", audit.VIEW, T0, ["a", "b"], detail="-1+1")
    out = io.StringIO()
    assert write_audit_csv(engine, out) == 3
    assert out.getvalue() == (
        "id,at_utc,user,action,record_ids,record_count,detail\r\n"
        "1,2026-11-26T09:30:15Z,drsmith,login_success,,,\r\n"
        "2,2026-11-26T09:30:15Z,drsmith,download,,3,\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        "3,2026-11-26T09:30:15Z,'@evil,view_submission,a;b,,'-1+1\r\n"
    )


def test_audit_csv_of_an_empty_log_is_the_header(engine: Engine):
    out = io.StringIO()
    assert write_audit_csv(engine, out) == 0
    assert out.getvalue() == "id,at_utc,user,action,record_ids,record_count,detail\r\n"
