"""Raw and labelled CSV: one row per submission, written as the rows arrive.

RFC 4180 through the csv module (minimal quoting, CRLF line ends), a header row, and
cells made formula-safe by `exports.columns`; most raw rows are written as whole lines by
`exports.csv_lines`, byte for byte the same. Rows come from an iterator (`exports.stored`
in production), so memory does not grow with the table.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from exports.columns import Record, StoredRow, header, stored_row_function, stored_values
from exports.csv_lines import line_function
from questions.form import Form


def csv_writer(out: TextIO) -> Any:
    """The one CSV dialect of every export: RFC 4180, minimal quoting, CRLF."""
    return csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def write_csv(
    records: Iterable[Record], form: Form, out: TextIO, labels: bool = False, lang: str = "en"
) -> int:
    """Write the header and one row per record (dicts); return the rows (header excluded)."""
    return write_stored(map(stored_values, records), form, out, labels=labels, lang=lang)


def write_stored(
    rows: Iterable[StoredRow], form: Form, out: TextIO, labels: bool = False, lang: str = "en"
) -> int:
    """Write the header and one row per stored row; return the rows (header excluded)."""
    writer = csv_writer(out)
    writer.writerow(header(form))
    cells = stored_row_function(form, labels=labels, lang=lang)
    if labels:  # every label cell is looked up: no shortcut to take
        count = 0
        for row in rows:
            if row[10] is not None:
                raise ValueError("labels are written from the answers; read the rows "
                                 "without cached cells (exports.stored, layout=None)")
            writer.writerow(cells(row))
            count += 1
        return count
    return _write_raw(rows, form, out, writer, cells)


def _write_raw(rows: Iterable[StoredRow], form: Form, out: TextIO, writer: Any,
               cells: Callable[[StoredRow], list[Any]]) -> int:
    """Raw rows as whole lines where `exports.csv_lines` can, the reference way otherwise."""
    line = line_function(form)
    write = out.write
    count = 0
    for row in rows:
        text = line(row)
        if text is None:
            writer.writerow(cells(row))
        else:
            write(text)
        count += 1
    return count
