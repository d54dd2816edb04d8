"""Answer cells cached at submit (`exports.cells_cache`): stored with each new submission,
used by the raw CSV export only for the current column layout, re-rendered by `intake
refresh-exports`, checked by `intake verify`. The export's bytes never depend on whether a
row was cached, cached for another layout, or stored before caching existed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from exports import write_export, write_records
from exports.cells_cache import CellsCache, Refreshed, layout_key, refresh, verify
from exports.csv_export import write_stored
from exports.csv_lines import tail_function
from exports.stored import stored_rows
from intake_cli import main
from intake_pipeline import Intake
from questions import Form
from questions.synthetic import Synthesizer
from storage import SubmissionStore, write
from storage.db import json_loads
from storage.queries import SubmissionFilter, stream
from storage.schema import submissions

AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
AWKWARD = {"first_name": "=HYPERLINK(\"x\")", "last_name": "O'Neil, Jr.",
           "goals": "line one\r\nline \"two\"\n@three", "medications": "-5 mg, then +10",
           "signature": "=HYPERLINK(\"x\") O'Neil, Jr."}


def export(engine: Engine, form: Form) -> str:
    out = io.StringIO(newline="")
    write_export("csv", engine, form, SubmissionFilter(), out)
    return out.getvalue()


def reference(engine: Engine, form: Form) -> str:
    """The raw CSV written from every record's answers: no cached cells are read."""
    out = io.StringIO(newline="")
    write_records("csv", stream(engine, SubmissionFilter()), form, out)
    return out.getvalue()


def stored_cells(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    c = submissions.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.export_layout, c.export_cells)).all()
    return {ident: (layout, cells) for ident, layout, cells in rows}


def set_cells(engine: Engine, submission_id: str, layout: str | None, cells: str | None) -> None:
    with write(engine) as conn:
        conn.execute(update(submissions).where(submissions.c.id == submission_id)
                     .values(export_layout=layout, export_cells=cells))


def seed(intake: Intake, engine: Engine, n: int, valid: dict[str, Any]) -> list[str]:
    """n synthetic submissions and one with awkward text; their ids in storing order."""
    rng = random.Random(20261126)
    synthesizer = Synthesizer(intake.form)
    store = SubmissionStore(engine)
    ids = [intake.submit(store, synthesizer.answers(rng, AT.date()), f"k{i}",
                         AT + dt.timedelta(minutes=i)).id for i in range(n)]
    ids.append(intake.submit(store, {**valid, **AWKWARD}, "awkward", AT).id)
    return ids


def test_a_new_submission_is_stored_with_the_cells_of_its_stored_answers(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    saved = intake.submit(SubmissionStore(any_engine), {**valid_answers, **AWKWARD}, "k", AT)
    c = submissions.c
    with any_engine.connect() as conn:
        layout, cells, answers, calculated = conn.execute(
            select(c.export_layout, c.export_cells, c.answers, c.calculated)
            .where(c.id == saved.id)).one()
    assert layout == layout_key(intake.form)
    assert cells is not None and cells == tail_function(intake.form)(answers, calculated)
    assert "'=HYPERLINK" in cells  # formula-safe, as the export writes it


def test_the_export_is_the_same_bytes_for_cached_stale_missing_and_uncacheable_rows(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    ids = seed(intake, any_engine, 24, valid_answers)
    current = layout_key(intake.form)
    cached = stored_cells(any_engine).values()
    assert all(layout == current and cells for layout, cells in cached)  # the usual way
    set_cells(any_engine, ids[0], None, None)  # stored before revision 0004
    set_cells(any_engine, ids[1], "0" * 16, "STALE,NEVER,WRITTEN")  # another layout
    set_cells(any_engine, ids[2], current, None)  # looked at: only the reference writes it
    expected = reference(any_engine, intake.form)

    assert export(any_engine, intake.form) == expected
    assert "STALE" not in expected and expected.count("\r\n") == len(ids) + 1


def test_the_export_writes_the_cached_cells_without_reading_the_answers(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    [cached, stale] = seed(intake, any_engine, 2, valid_answers)[:2]
    set_cells(any_engine, cached, layout_key(intake.form), "CACHED")
    set_cells(any_engine, stale, "0" * 16, "STALE")

    rows = {row[0]: row for row in stored_rows(any_engine, SubmissionFilter(),
                                               layout=layout_key(intake.form))}

    assert rows[cached][8:] == (None, None, "CACHED")  # answers and calculated not read
    assert rows[stale][10] is None and rows[stale][8] is not None
    lines = export(any_engine, intake.form).split("\r\n")
    assert [line for line in lines if line.endswith(",CACHED")] == [
        line for line in lines if line.startswith(cached)]


def test_a_labels_export_never_takes_cached_cells(intake: Intake) -> None:
    row = ("id", "ref", AT, 1, "v", "candidate", [], "new", None, None, "CACHED")
    with pytest.raises(ValueError, match="labels are written from the answers"):
        write_stored([row], intake.form, io.StringIO(), labels=True)


def test_refresh_caches_rows_stored_before_or_for_another_layout_then_has_nothing_to_do(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    ids = seed(intake, any_engine, 6, valid_answers)
    cache = CellsCache.of(intake.form)
    fresh = stored_cells(any_engine)
    set_cells(any_engine, ids[0], None, None)
    set_cells(any_engine, ids[1], "0" * 16, "STALE")

    assert refresh(any_engine, cache, batch=1) == Refreshed(2, 2)
    assert stored_cells(any_engine) == fresh
    assert refresh(any_engine, cache) == Refreshed(0, 0)


def test_refresh_marks_a_row_only_the_reference_can_write_as_looked_at(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    saved = intake.submit(SubmissionStore(any_engine), valid_answers, "k", AT)
    with write(any_engine) as conn:  # an odd stored value: a number where text is expected
        conn.execute(update(submissions).where(submissions.c.id == saved.id).values(
            answers={**valid_answers, "first_name": 7}, export_layout=None, export_cells=None))
    cache = CellsCache.of(intake.form)

    assert refresh(any_engine, cache) == Refreshed(1, 0)
    assert stored_cells(any_engine)[saved.id] == (cache.layout, None)
    assert refresh(any_engine, cache) == Refreshed(0, 0)
    assert export(any_engine, intake.form) == reference(any_engine, intake.form)


def test_another_column_layout_has_another_key(intake: Intake) -> None:
    form = intake.form
    first = form.definition.pages[0]
    fewer = dataclasses.replace(form, definition=form.definition.model_copy(update={
        "pages": [first.model_copy(update={"questions": first.questions[1:]}),
                  *form.definition.pages[1:]]}))
    assert layout_key(form) == layout_key(intake.form)
    assert layout_key(fewer) != layout_key(form)


def test_verify_reports_cached_cells_that_differ_from_the_answers(
    any_engine: Engine, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    intact, changed = seed(intake, any_engine, 2, valid_answers)[:2]
    cache = CellsCache.of(intake.form)
    seen: list[Any] = []
    assert verify(any_engine, cache, on_mismatch=seen.append) == 3 and seen == []
    cells = stored_cells(any_engine)[changed][1]
    assert cells is not None
    set_cells(any_engine, changed, cache.layout, cells.replace(",", ",9", 1))

    assert verify(any_engine, cache, on_mismatch=seen.append, batch=1) == 3
    [mismatch] = seen
    assert mismatch.submission_id == changed != intact
    assert "cached" in mismatch.problem


def test_refresh_and_verify_commands(
    capsys: pytest.CaptureFixture[str], db_url: str, engine: Engine, intake: Intake,
    valid_answers: dict[str, Any],
) -> None:
    saved = intake.submit(SubmissionStore(engine), valid_answers, "k", AT)
    cells = stored_cells(engine)[saved.id][1]
    assert cells is not None
    set_cells(engine, saved.id, layout_key(intake.form), "0" + cells)
    assert main(["verify", "--database", db_url]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"MISMATCH submission {saved.id} reference {saved.reference}: "
                             "the CSV cells cached at submit differ")
    assert out[-1] == "Checked the cached CSV cells of 1 submissions: 1 mismatch(es)"
    assert main(["refresh-exports", "--database", db_url]) == 0  # the layout is current:
    assert json_loads(capsys.readouterr().out)["checked"] == 0  # only --all looks again
    assert main(["refresh-exports", "--all", "--database", db_url]) == 0
    assert json_loads(capsys.readouterr().out)["checked"] == 1
    assert main(["verify", "--database", db_url]) == 0
    capsys.readouterr()

    set_cells(engine, saved.id, None, None)
    assert main(["refresh-exports", "--database", db_url]) == 0
    assert json_loads(capsys.readouterr().out) == {
        "checked": 1, "cached": 1, "layout": layout_key(intake.form)}
    assert stored_cells(engine)[saved.id] == (layout_key(intake.form), cells)
    assert main(["verify", "--database", db_url]) == 0
