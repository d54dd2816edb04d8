"""Spreadsheet formula safety for text cells (OWASP "CSV injection").

A spreadsheet reads a cell starting with `=`, `+`, `-` or `@` as a formula, and tab, CR
or LF at the start can smuggle one past a quick look. Such text is written with a leading
`'`, which spreadsheets show as a plain-text marker. Only text is guarded: numbers are
written as they are (an integer answer -5 stays -5), so the caller decides by type.
"""

from __future__ import annotations

from typing import Any

TRIGGERS = frozenset("=+-@\t\r\n")
"""First characters that make a spreadsheet treat a text cell as a formula."""


def guard(text: str) -> str:
    """The text, prefixed with `'` when its first character would start a formula."""
    if text and text[0] in TRIGGERS:
        return "'" + text
    return text


def cell(value: Any) -> str:
    """One CSV cell from a stored value: empty for None, 1/0 for booleans, numbers as-is,
    text guarded. Lists (never expected outside multi-select columns) are joined by ';'."""
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return guard(";".join(str(v) for v in value))
    return guard(str(value))
