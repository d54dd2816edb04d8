"""The `intake` command: check the definitions, screen and submit documents, seed demo data.

Refusals the user can act on (a broken definition, an invalid document, a key reused with
other answers) are raised as `UserError` and shown by `main` as plain text on stderr with
an exit code; anything else is a bug and surfaces with its traceback. Patient answers are
never printed, except in the JSON results the contract asks for.

The pipeline, rules, synthetic data and maintenance are imported inside the commands that
use them: start-up is part of every command's time, and `intake export` (measured whole
process against `sqlite3 -csv`, README "Benchmarks") needs none of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import random
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from access.commands import add_user_parsers
from exports.commands import add_export_parser, run_export
from questions import AnswersInvalid, DefinitionError, Messages, Problem, load_form, load_messages
from storage import (
    KeyConflict,
    SubmissionStore,
    canonical_sha256,
    default_url,
    open_engine,
)
from storage.migrate import MigrationError, upgrade
from storage.times import aware

if TYPE_CHECKING:
    from intake_pipeline import Intake

DOCUMENT_KEYS = ("submission_key", "submitted_at", "answers")
MAX_KEY_LENGTH = 128  # storage.schema: submissions.submission_key
DEMO_DAYS = 180


class UserError(Exception):
    """A refusal with text for the user: shown without a traceback, with its exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UserError as e:
        print(f"intake {args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except MigrationError as e:  # raised by open_engine in any command
        print(f"intake {args.command}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (e.g. `intake export | head`): stop quietly, like cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy database URL (default: INTAKE_DATABASE_URL, else data/intake.db)",
    )
    parser = argparse.ArgumentParser(prog="intake", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, run: Callable[[argparse.Namespace], int], doc: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=doc, description=doc)
        sub.set_defaults(run=run)
        return sub

    checker = command("check", check, "Cross-check the questionnaire, messages and rules.")
    checker.add_argument("--form", type=Path, help="questionnaire YAML (default: built-in)")
    checker.add_argument("--rules", type=Path, help="rule file YAML (default: built-in)")
    for name, run, doc in (
        ("submit", submit, "Validate, screen and store one submission document (JSON)."),
        ("screen", screen, "Validate and screen one submission document; store nothing."),
    ):
        command(name, run, doc).add_argument("file", metavar="FILE|-", help="JSON file or -")
    command("migrate", migrate, "Create or upgrade the database schema (versioned migrations).")
    backup_cmd = command("backup", backup_database,
                         "Write a consistent copy of the SQLite database to a new file.")
    backup_cmd.add_argument("path", metavar="PATH", type=Path, help="new file (never overwritten)")
    purge_cmd = command("purge", purge_old,
                        "Delete submissions older than DAYS, and old or expired drafts.")
    purge_cmd.add_argument("--older-than", metavar="DAYS", type=int, required=True,
                           help="delete submissions submitted more than DAYS days ago")
    command("verify", verify_records,
            "Recompute each submission's SHA-256 of its answers and its cached CSV cells; "
            "report mismatches.")
    refresh_cmd = command("refresh-exports", refresh_exports,
                          "Cache the raw CSV cells of submissions stored before this "
                          "questionnaire's column layout (after an upgrade or a form "
                          "change): faster CSV exports.")
    refresh_cmd.add_argument("--all", action="store_true", dest="everything",
                             help="write the cells of every submission again (after "
                                  "`intake verify` reported cells that differ)")
    seed = command("seed-demo", seed_demo, "Store N synthetic valid submissions (demos).")
    seed.add_argument("--n", type=int, required=True, help="how many submissions to store")
    seed.add_argument("--seed", type=int, help="random seed, for the same answers every run")
    add_export_parser(commands).set_defaults(run=run_export, command="export")
    rescreen_cmd = command("rescreen", rescreen,
                           "Re-run the current rules over every stored submission.")
    rescreen_cmd.add_argument("--jobs", type=int, metavar="N",
                              help="worker processes, each screening a range of submissions "
                                   "(default: one per core this process may use)")
    add_user_parsers(commands, parents=[common])
    return parser


# ---- commands ------------------------------------------------------------------------


def check(args: argparse.Namespace) -> int:
    """Every problem in every definition file, reported together (warnings do not fail)."""
    from rules import load_rules

    problems: list[Problem] = []
    form = ruleset = None
    try:
        form = load_form(args.form)
    except DefinitionError as e:
        problems += e.problems
    try:
        load_messages(languages=form.definition.languages if form else None)
    except DefinitionError as e:
        problems += e.problems
    if form is not None:
        try:
            ruleset = load_rules(form, args.rules)
        except DefinitionError as e:
            problems += e.problems
        else:
            problems += ruleset.warnings
    for warning in (p for p in problems if p.warning):
        print(warning, file=sys.stderr)
    errors = [str(p) for p in problems if not p.warning]
    if errors or form is None or ruleset is None:
        later = ["(the rules are checked once the questionnaire loads)"] if form is None else []
        raise UserError("\n".join([f"{len(errors)} problem(s):", *errors, *later]), exit_code=1)
    print(
        f"OK: {form.form_id} version {form.version}: {len(form.questions())} questions, "
        f"{len(ruleset.rules)} rules (rules version {ruleset.version})"
    )
    return 0


def submit(args: argparse.Namespace) -> int:
    """Idempotent on the submission key; without one, the key is the document's hash."""
    intake = load_intake()
    doc = read_document(args.file)
    at = submitted_at(doc)
    key = doc.get("submission_key") or f"doc-sha256-{canonical_sha256(doc)}"
    engine = open_engine(database_url(args))
    try:
        saved = intake.submit(SubmissionStore(engine), doc["answers"], key, at)
    except AnswersInvalid as e:
        raise invalid_answers(e, intake.messages) from None
    except KeyConflict:
        raise UserError(
            "this submission_key is already stored with different answers; "
            "send the original answers or use a new key"
        ) from None
    finally:
        engine.dispose()
    print_json(
        {"id": saved.id, "reference": saved.reference, "outcome": saved.outcome,
         "duplicate": saved.duplicate}
    )
    return 0


def screen(args: argparse.Namespace) -> int:
    """What submit would decide, without touching the database."""
    from rules import screen_document

    intake = load_intake()
    doc = read_document(args.file)
    submitted_at(doc)  # refuse a malformed time exactly as submit does
    try:
        result = screen_document(doc, intake.form, intake.validator, intake.rules)
    except AnswersInvalid as e:
        raise invalid_answers(e, intake.messages) from None
    print_json(result)
    return 0


def migrate(args: argparse.Namespace) -> int:
    """Apply the migrations; a database made before migrations is stamped first."""
    url = database_url(args)
    try:
        done = upgrade(url)
    except MigrationError as e:
        raise UserError(str(e), exit_code=1) from None
    if done.stamped:
        print(f"Recognised a database made before migrations: stamped at {done.before}")
    change = "unchanged" if done.before == done.after else f"was {done.before or 'empty'}"
    print(f"Database ready at revision {done.after} ({change}): {shown_url(url)}")
    return 0


def backup_database(args: argparse.Namespace) -> int:
    """SQLite only: PostgreSQL is backed up with pg_dump (exit 2 says so)."""
    from storage.maintenance import MaintenanceRefused, backup

    url = database_url(args)
    if make_url(url).get_backend_name() != "sqlite":
        raise UserError("intake backup copies SQLite databases only; back up PostgreSQL with "
                        "pg_dump --format=custom (see README, Operations)")
    engine = open_engine(url)
    try:
        path = backup(engine, args.path)
    except MaintenanceRefused as e:
        raise UserError(str(e)) from None
    finally:
        engine.dispose()
    print(f"Backed up {shown_url(url)} to {path} ({path.stat().st_size} bytes, "
          "integrity check ok)")
    return 0


def purge_old(args: argparse.Namespace) -> int:
    from storage.maintenance import MaintenanceRefused, purge

    engine = open_engine(database_url(args))
    try:
        done = purge(engine, args.older_than, dt.datetime.now(dt.UTC), actor())
    except MaintenanceRefused as e:
        raise UserError(str(e)) from None
    finally:
        engine.dispose()
    print(f"Purged {done.submissions} submissions submitted before "
          f"{done.cutoff:%Y-%m-%d %H:%M} UTC (with their screenings and status history) "
          f"and {done.drafts} drafts; recorded in the audit log")
    return 0


def verify_records(args: argparse.Namespace) -> int:
    """Exit 1 when any record's answers no longer match their stored SHA-256, or its cached
    CSV cells no longer match its answers."""
    from exports.cells_cache import verify as verify_cells
    from storage.maintenance import Mismatch, verify

    cache = load_intake().cells_cache
    engine = open_engine(database_url(args))
    cells_mismatches = 0

    def report(m: Mismatch) -> None:
        print(f"MISMATCH submission {m.submission_id} reference {m.reference}: {m.problem}")

    def report_cells(m: Mismatch) -> None:
        nonlocal cells_mismatches
        if m.submission_id not in changed:  # answers that changed: reported once, above
            cells_mismatches += 1
            report(m)

    try:
        done = verify(engine, on_mismatch=report)
        changed = {m.submission_id for m in done.mismatches}
        cached = verify_cells(engine, cache, on_mismatch=report_cells)
    finally:
        engine.dispose()
    print(f"Checked {done.checked} submissions: {len(done.mismatches)} mismatch(es)")
    print(f"Checked the cached CSV cells of {cached} submissions: "
          f"{cells_mismatches} mismatch(es)")
    return 1 if done.mismatches or cells_mismatches else 0


def refresh_exports(args: argparse.Namespace) -> int:
    """Exports are right without this (uncached rows are written from their answers); it
    makes them fast again after a questionnaire change or an upgrade."""
    from exports.cells_cache import refresh

    cache = load_intake().cells_cache
    engine = open_engine(database_url(args))
    try:
        done = refresh(engine, cache, everything=args.everything)
    finally:
        engine.dispose()
    print_json({"checked": done.checked, "cached": done.cached, "layout": cache.layout})
    return 0


def rescreen(args: argparse.Namespace) -> int:
    """After a rule change: how many outcomes changed; old screenings stay in the history."""
    from storage.workers import default_jobs

    if args.jobs is not None and args.jobs < 1:
        raise UserError("--jobs must be 1 or more")
    intake = load_intake()
    engine = open_engine(database_url(args))
    try:
        report = intake.rescreen(engine, jobs=args.jobs or default_jobs())
    finally:
        engine.dispose()
    print_json(
        {
            "screened": report.screened,
            "outcomes_changed": report.outcomes_changed,
            "transitions": {f"{old}->{new}": n for (old, new), n in report.transitions.items()},
            "rules_version": report.rules_version,
        }
    )
    return 0


def seed_demo(args: argparse.Namespace) -> int:
    """Validated and screened for real, stored in chunks (100,000 rows in minutes)."""
    from questions.synthetic import Synthesizer
    from storage.bulk import CHUNK, save_many

    if args.n < 0:
        raise UserError("--n must be 0 or more")
    intake = load_intake()
    engine = open_engine(database_url(args))
    rng = random.Random(args.seed)
    synthesizer = Synthesizer(intake.form)
    now = dt.datetime.now(dt.UTC)
    stored, batch = 0, []
    for _ in range(args.n):
        at = now - dt.timedelta(seconds=rng.uniform(0, DEMO_DAYS * 86400))
        raw = synthesizer.answers(rng, at.date())
        batch.append(intake.prepare(raw, f"demo-{uuid.uuid4()}", at))
        if len(batch) == CHUNK:
            stored += save_many(engine, batch)
            batch = []
    stored += save_many(engine, batch)
    engine.dispose()
    print(f"Stored {stored} demo submissions in {shown_url(database_url(args))}")
    return 0


# ---- helpers -------------------------------------------------------------------------


def load_intake() -> Intake:
    """The loaded definitions; a broken definition is the user's to fix (exit 1)."""
    from intake_pipeline import Intake

    try:
        return Intake.load()
    except DefinitionError as e:
        lines = [str(p) for p in e.problems]
        raise UserError("\n".join(["the definitions have problems (run: intake check):", *lines]),
                        exit_code=1) from None


def read_document(source: str) -> dict[str, Any]:
    """A submission document from a file or stdin, checked for shape (not for answers)."""
    name = "standard input" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as e:
        raise UserError(f"cannot read {name}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise UserError(f"{name} is not UTF-8 text") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(
            f"{name} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
        ) from None
    expected = ", ".join(DOCUMENT_KEYS)
    if not isinstance(doc, dict):
        raise UserError(f"{name} must hold a JSON object with the keys {expected}")
    unknown = sorted(set(doc) - set(DOCUMENT_KEYS))
    if unknown:
        raise UserError(f"{name}: unknown key(s) {', '.join(unknown)}; expected {expected}")
    if not isinstance(doc.get("answers"), dict):
        raise UserError(f'{name} needs "answers": an object of answers keyed by question id')
    key = doc.get("submission_key")
    if key is not None and not (isinstance(key, str) and 0 < len(key.strip()) <= MAX_KEY_LENGTH):
        raise UserError(f"submission_key must be text of 1 to {MAX_KEY_LENGTH} characters")
    return doc


def submitted_at(doc: Mapping[str, Any]) -> dt.datetime | None:
    """The document's submitted_at as an aware UTC time (no offset means UTC), or None."""
    value = doc.get("submitted_at")
    if value is None or value == "":
        return None
    try:
        at = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        raise UserError('submitted_at must be an ISO-8601 time, e.g. "2026-11-26T14:30:00Z"')
    return aware(at)


def invalid_answers(error: AnswersInvalid, messages: Messages) -> UserError:
    """One line per problem: the question id and what the patient would read."""
    lines = [f"{p.question_id}: {messages.get(p.message_id, **p.values)}" for p in error.problems]
    return UserError("\n".join([f"{len(lines)} answer(s) to fix:", *lines]))


def actor() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (OSError, KeyError):
        return "cli"


def database_url(args: argparse.Namespace) -> str:
    return str(args.database or default_url())


def shown_url(url: str) -> str:
    """The URL without its password; a SQLite file as an absolute path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.render_as_string(hide_password=True)


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
