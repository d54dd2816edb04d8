"""The raw CSV text of each submission's answer columns, written once at submit.

A submission's answers never change after it is stored, so the part of its raw CSV line
after the `META` columns (94 cells, formula-safe and quoted) can be made once, when it is
stored, instead of on every export: a 100,000-row export then neither reads nor decodes the
answers JSON, and spent most of its time doing that.

The cached text is only used for the column layout it was made for. `layout_key` names the
layout: the columns after `META`, which of them hold numbers, and the source of the code
that writes them. A new questionnaire version with other columns, or a release that writes
cells differently, gives a new key, and rows cached under the old one are exported the
slow way, from their answers, until `intake refresh-exports` re-renders them. `intake
verify` re-renders every cached row and reports any that differ.

The cached text is patient data like the answers it comes from: the same row, the same
deletion by `intake purge`, never logged.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Text, and_, bindparam, cast, or_, select, update

from exports.columns import META, header
from exports.csv_lines import tail_function, typed_columns
from questions.form import Form
from storage.db import json_loads, read, write
from storage.schema import submissions

if TYPE_CHECKING:  # imported when verifying: the export itself never needs it
    from storage.maintenance import Mismatch

RENDERING_SOURCES = ("columns.py", "csv_lines.py", "formula.py")
"""The modules whose code decides the cells' text: a change to any gives a new layout key."""

Render = Callable[[Mapping[str, Any], Mapping[str, Any]], str | None]


def layout_key(form: Form) -> str:
    """16 hex characters naming the layout of the columns after `META` and how they are
    written (see the module docstring)."""
    described = json.dumps([header(form)[len(META):], typed_columns(form), _rendering_code()])
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]


@functools.cache
def _rendering_code() -> str:
    """SHA-256 of `RENDERING_SOURCES`, read once per process (each export asks)."""
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes()
                                   for name in RENDERING_SOURCES)).hexdigest()


@dataclass(frozen=True)
class CellsCache:
    """How the current questionnaire's answer cells are cached: the layout key and the
    function that writes them (None for a submission the reference writer must export)."""

    layout: str
    render: Render

    @classmethod
    def of(cls, form: Form) -> CellsCache:
        return cls(layout_key(form), tail_function(form))

    def for_new(self, answers: Mapping[str, Any], calculated: Mapping[str, Any]) -> str | None:
        """The cells of a submission about to be stored, made from its values as the export
        will read them back: through the JSON text the database stores."""
        return _rendered(self, json.dumps(answers), json.dumps(calculated))


@dataclass(frozen=True)
class Refreshed:
    checked: int
    """Submissions whose cells were missing or made for another layout."""
    cached: int
    """Of those, how many now have cells (the rest have values only the reference writes)."""


def refresh(engine: Engine, cache: CellsCache, batch: int = 1000,
            everything: bool = False) -> Refreshed:
    """Render the cells of every submission not cached for `cache.layout` (with
    `everything`, of every submission: after `intake verify` found cached cells that differ),
    `batch` rows per transaction (an interrupted refresh keeps what it did, and a rerun
    finishes the rest)."""
    checked = cached = 0
    c = submissions.c
    for rows in _stale(engine, None if everything else cache.layout, batch):
        updates = []
        for ident, answers, calculated in rows:
            cells = _rendered(cache, answers, calculated)
            updates.append({"row_id": ident, "layout": cache.layout, "cells": cells})
            cached += cells is not None
        with write(engine) as conn:
            conn.execute(
                update(submissions).where(c.id == bindparam("row_id"))
                .values(export_layout=bindparam("layout"), export_cells=bindparam("cells")),
                updates,
            )
        checked += len(rows)
    return Refreshed(checked, cached)


def _stale(engine: Engine, layout: str | None, batch: int) -> Iterator[list[Any]]:
    """Submissions not yet looked at for `layout` (None: all), in id order, `batch` at a time."""
    c = submissions.c
    last = ""
    while True:
        query = (
            select(c.id, cast(c.answers, Text), cast(c.calculated, Text))
            .where(c.id > last)
            .order_by(c.id)
            .limit(batch)
        )
        if layout is not None:
            query = query.where(or_(c.export_layout.is_(None), c.export_layout != layout))
        with read(engine) as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def verify(engine: Engine, cache: CellsCache,
           on_mismatch: Callable[[Mismatch], None] | None = None, batch: int = 2000) -> int:
    """Re-render every submission cached for the current layout and compare; return how many
    were checked. Each difference is reported through `on_mismatch`."""
    from storage.maintenance import Mismatch

    c = submissions.c
    query = (
        select(c.id, c.reference, cast(c.answers, Text), cast(c.calculated, Text), c.export_cells)
        .where(and_(c.export_layout == cache.layout, c.export_cells.is_not(None)))
        .order_by(c.submitted_at, c.id)
    )
    checked = 0
    with engine.connect() as conn:
        for ident, reference, answers, calculated, cells in conn.execution_options(
            stream_results=True, yield_per=batch
        ).execute(query):
            checked += 1
            if _rendered(cache, answers, calculated) != cells and on_mismatch is not None:
                on_mismatch(Mismatch(ident, reference, "the CSV cells cached at submit differ "
                                     "from its answers (`intake refresh-exports --all` "
                                     "writes them again)"))
    return checked


def _rendered(cache: CellsCache, answers_text: str | None, calculated_text: str | None
              ) -> str | None:
    """The cells of stored JSON text; None when it is unreadable or not an object (such a
    row is exported, and reported by `intake verify`, from its answers)."""
    try:
        answers, calculated = json_loads(answers_text or "{}"), json_loads(calculated_text or "{}")
    except ValueError:
        return None
    if not isinstance(answers, dict) or not isinstance(calculated, dict):
        return None
    return cache.render(answers, calculated)
