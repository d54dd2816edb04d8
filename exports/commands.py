"""`intake export`: the argument parser and the command, wired into `intake_cli`.

The command goes through `exports.formats.write_export`, the same path as the clinician's
Download buttons. With `--out`, the file is written beside its final name and moved into
place only when complete (no half-written export is ever left under the real name), with
owner-only permissions because exports hold patient data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from exports.formats import FORMATS, ExportError, export_format, write_export
from questions import load_form
from storage import STATUSES, audit, default_url, open_engine
from storage.queries import OUTCOME_ORDER, SubmissionFilter

OUT_BUFFER = 1 << 20
"""Bytes buffered before each write to --out: a 100,000-row CSV is about 46 MB."""


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-26") from None


def add_export_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `export` subcommand to an argparse subparsers object; return its parser."""
    parser = subparsers.add_parser(
        "export",
        help="export submissions (CSV, labels, FHIR) or describe the questionnaire",
        description="Export stored submissions, oldest first, or describe the questionnaire "
        "(dictionary, fhir-questionnaire). Dates are UTC days and both ends are included.",
    )
    parser.add_argument("--format", dest="format", default="csv", choices=list(FORMATS),
                        help="what to write (default: csv)")
    parser.add_argument("--out", metavar="PATH", help="file to write (default: stdout)")
    parser.add_argument("--since", metavar="DATE", type=iso_date,
                        help="first day included, YYYY-MM-DD")
    parser.add_argument("--until", metavar="DATE", type=iso_date,
                        help="last day included, YYYY-MM-DD")
    parser.add_argument("--outcome", action="append", choices=OUTCOME_ORDER, default=[],
                        help="only this screening outcome (repeat for several)")
    parser.add_argument("--status", action="append", choices=STATUSES, default=[],
                        help="only this review status (repeat for several)")
    parser.add_argument("--lang", default="en", help="language of labels (default: en)")
    # SUPPRESS: a --database given before the subcommand (on the main parser) is kept.
    parser.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (default: INTAKE_DATABASE_URL, else ./data/intake.db)")
    parser.set_defaults(func=run_export)
    return parser


def submission_filter(args: argparse.Namespace) -> SubmissionFilter:
    if args.since and args.until and args.since > args.until:
        raise ExportError(f"--since {args.since} is after --until {args.until}")
    return SubmissionFilter(
        since=args.since,
        until=args.until,
        outcomes=tuple(dict.fromkeys(args.outcome or ())),
        statuses=tuple(dict.fromkeys(args.status or ())),
    )


def run_export(args: argparse.Namespace) -> int:
    """Run `intake export`; 0 on success, 1 with a message on stderr when it cannot be made."""
    try:
        fmt = export_format(args.format)
        flt = submission_filter(args)
        form = load_form()
        if args.lang not in form.definition.languages:
            known = ", ".join(form.definition.languages)
            raise ExportError(f"--lang {args.lang!r} is not a language of the form ({known})")
        url = getattr(args, "database", None) or default_url()
        engine = open_engine(url) if fmt.uses_store else None
        try:
            with _output(args.out) as out:
                count = write_export(fmt.name, engine, form, flt, out, lang=args.lang)  # type: ignore[arg-type]
            if engine is not None:
                audit.record(engine, f"cli:{_os_user()}", audit.EXPORT, dt.datetime.now(dt.UTC),
                             count=count, detail=f"format={fmt.name} {_filter_text(flt)}")
        finally:
            if engine is not None:
                engine.dispose()
    except ExportError as e:
        print(f"intake export: {e}", file=sys.stderr)
        return 1
    where = args.out or "stdout"
    print(f"intake export: {count} {'rows' if fmt.uses_store else 'items'} "
          f"({fmt.name}) written to {where}", file=sys.stderr)
    return 0


def _os_user() -> str:
    """Who ran the command, for the audit trail (CLI exports have no clinician login)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _filter_text(flt: SubmissionFilter) -> str:
    parts = [f"since={flt.since}" if flt.since else "", f"until={flt.until}" if flt.until else "",
             f"outcome={','.join(flt.outcomes)}" if flt.outcomes else "",
             f"status={','.join(flt.statuses)}" if flt.statuses else ""]
    return " ".join(p for p in parts if p)


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield from _stdout()
        return
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"--out {path} is a folder; give a file name")
    if not target.parent.is_dir():
        raise ExportError(f"--out {path}: the folder {target.parent} does not exist")
    if target.exists() and not target.is_file():  # /dev/null, a pipe: write to it, never replace it
        with target.open("w", encoding="utf-8", newline="", buffering=OUT_BUFFER) as out:
            yield out
        return
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=OUT_BUFFER) as out:
            yield out
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _stdout() -> Iterator[TextIO]:
    """stdout as UTF-8 with no newline translation (CSV line ends are CRLF as written)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        yield sys.stdout
        return
    sys.stdout.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield out
    finally:
        out.flush()
        out.detach()
