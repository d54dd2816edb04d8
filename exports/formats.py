"""The export formats and the one entry point shared by `intake export` and the Download buttons.

`write_export` streams submissions from the store in batches (the CSV formats read only their
columns, `exports.stored`; FHIR reads whole records, `storage.queries.stream`) through the
chosen writer straight into `out`; `export_bytes` does the same into memory for a Streamlit
download. `write_records` is the writer half, for any iterable of records.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import Engine

from exports.cells_cache import layout_key
from exports.columns import Record
from exports.csv_export import write_csv, write_stored
from exports.dictionary import write_dictionary
from exports.fhir import write_bundle, write_questionnaire
from exports.stored import stored_rows
from questions.form import Form
from storage.queries import SubmissionFilter, stream


class ExportError(Exception):
    """An export that cannot be made; the message is written for the person who asked."""


@dataclass(frozen=True)
class ExportFormat:
    name: str
    suffix: str
    """Ending of the file name, e.g. `intake-2026-11-26` + `-labels.csv`."""
    mime: str
    description: str
    uses_store: bool = True
    """False for descriptions of the questionnaire (no submissions are read)."""

    def filename(self, stem: str) -> str:
        return f"{stem}{self.suffix}"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", ".csv", "text/csv", "Raw CSV: codes, 1/0 choice columns"),
        ExportFormat("labels", "-labels.csv", "text/csv", "CSV with choice labels"),
        ExportFormat("dictionary", "-dictionary.csv", "text/csv",
                     "REDCap data dictionary of the CSV columns", uses_store=False),
        ExportFormat("fhir", "-responses.json", "application/fhir+json",
                     "FHIR R4 Bundle of QuestionnaireResponses"),
        ExportFormat("fhir-questionnaire", "-questionnaire.json", "application/fhir+json",
                     "FHIR R4 Questionnaire", uses_store=False),
        ExportFormat("audit", "-audit.csv", "text/csv", "Audit log CSV"),
    )
}


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ExportError(f"unknown export format {name!r}; choose one of: {known}") from None


def write_records(
    fmt: str, records: Iterable[Record], form: Form, out: TextIO, lang: str = "en"
) -> int:
    """Write records (consumed lazily, one at a time) in a submissions format; return rows."""
    if fmt == "csv":
        return write_csv(records, form, out, labels=False, lang=lang)
    if fmt == "labels":
        return write_csv(records, form, out, labels=True, lang=lang)
    if fmt == "fhir":
        return write_bundle(records, form, out, lang=lang)
    raise ExportError(f"{fmt!r} is not a submissions format")


def write_export(
    fmt: str, engine: Engine, form: Form, flt: SubmissionFilter, out: TextIO, lang: str = "en"
) -> int:
    """Export the filtered submissions (or the form's description) to `out`; return rows written.

    For `dictionary` and `fhir-questionnaire`, `engine` and `flt` are not used and the
    count is the number of dictionary fields / resources.
    """
    export_format(fmt)
    if fmt == "dictionary":
        return write_dictionary(form, out, lang=lang)
    if fmt == "fhir-questionnaire":
        return write_questionnaire(form, out, lang=lang)
    if fmt == "audit":
        return _write_audit(engine, out)
    if fmt == "csv":  # raw rows cached at submit for this layout are not decoded
        rows = stored_rows(engine, flt, layout=layout_key(form))
        return write_stored(rows, form, out, labels=False, lang=lang)
    if fmt == "labels":
        return write_stored(stored_rows(engine, flt), form, out, labels=True, lang=lang)
    return write_records(fmt, stream(engine, flt), form, out, lang=lang)


def _write_audit(engine: Engine, out: TextIO) -> int:
    """The audit log lives in `exports.audit` (written separately); imported only when asked."""
    try:
        from exports.audit import write_audit_csv
    except ModuleNotFoundError as e:
        if e.name not in ("exports.audit",):
            raise
        raise ExportError("the audit export is not available in this installation "
                          "(exports/audit.py is missing)") from e
    written: Any = write_audit_csv(engine, out)
    return written if isinstance(written, int) else 0


def export_bytes(
    fmt: str, engine: Engine, form: Form, flt: SubmissionFilter, lang: str = "en"
) -> bytes:
    """The export as UTF-8 bytes, for `st.download_button` (same code path as the CLI)."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    write_export(fmt, engine, form, flt, text, lang=lang)
    text.flush()
    data = buffer.getvalue()
    text.detach()
    return data
