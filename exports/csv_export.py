"""Raw and labelled CSV: one row per submission, written as the rows arrive.

RFC 4180 through the csv module (minimal quoting, CRLF line ends), a header row, and
cells already made formula-safe by `exports.columns`. Records come from an iterator
(`storage.queries.stream` in production), so memory does not grow with the table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from exports.columns import Record, header, row_function
from questions.form import Form


def csv_writer(out: TextIO) -> Any:
    """The one CSV dialect of every export: RFC 4180, minimal quoting, CRLF."""
    return csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def write_csv(
    records: Iterable[Record], form: Form, out: TextIO, labels: bool = False, lang: str = "en"
) -> int:
    """Write the header and one row per record; return the number of rows (header excluded)."""
    writer = csv_writer(out)
    writer.writerow(header(form))
    row = row_function(form, labels=labels, lang=lang)
    count = 0
    for record in records:
        writer.writerow(row(record))
        count += 1
    return count
