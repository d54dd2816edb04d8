"""Download buttons for the current filter: each file is built only when its button is clicked.

`st.download_button` takes a callable for `data` (Streamlit >= 1.52) and runs it on its own
thread at click time, so a rerun never rebuilds a 100,000-row export. The callable also
writes the audit entry (who, how many rows, which filter), because it is the only code that
knows the file was really asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine

from exports import FORMATS, export_bytes
from questions import Form
from storage import audit
from storage.queries import SubmissionFilter, count
from ui.clinician_common import now, user

BUTTONS = (
    ("csv", "Download CSV"),
    ("labels", "Download labels CSV"),
    ("dictionary", "Download data dictionary"),
    ("fhir", "Download FHIR"),
)


def download_buttons(eng: Engine, form: Form, flt: SubmissionFilter) -> None:
    username = user().username
    for column, (fmt, label) in zip(st.columns(len(BUTTONS)), BUTTONS, strict=True):
        spec = FORMATS[fmt]
        column.download_button(
            label,
            data=file_builder(eng, form, flt, username, fmt),
            file_name=spec.filename(f"intake-{dt.datetime.now(dt.UTC):%Y-%m-%d}"),
            mime=spec.mime,
            key=f"clinician_download_{fmt}",
            on_click="ignore",
            help=spec.description,
        )


def file_builder(
    eng: Engine,
    form: Form,
    flt: SubmissionFilter,
    username: str,
    fmt: str,
    clock: Callable[[], dt.datetime] = now,
) -> Callable[[], bytes]:
    """The zero-argument callable the button runs on click: export, then audit."""

    def build() -> bytes:
        data = export_bytes(fmt, eng, form, flt)
        rows = count(eng, flt) if FORMATS[fmt].uses_store else None
        audit.record(eng, username, audit.DOWNLOAD, clock(), count=rows,
                     detail=f"format={fmt}; {describe(flt)}")
        return data

    return build


def describe(flt: SubmissionFilter) -> str:
    """The filter in words for the audit log; the search text itself is left out (it may be
    a patient's name)."""
    parts = [
        f"since={flt.since}" if flt.since else "",
        f"until={flt.until}" if flt.until else "",
        f"outcomes={','.join(flt.outcomes)}" if flt.outcomes else "",
        f"statuses={','.join(flt.statuses)}" if flt.statuses else "",
        "choices=" + ",".join(f"{q}={c}" for q, c in flt.choices) if flt.choices else "",
        "text search" if flt.text else "",
    ]
    return "filter: " + ("; ".join(p for p in parts if p) or "none")
