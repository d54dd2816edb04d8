"""`intake export` through `exports.commands`: filters, output file or stdout, errors."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import json
import os
import random
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from exports.commands import add_export_parser, run_export
from intake_pipeline import Intake
from questions.synthetic import Synthesizer
from storage import SubmissionStore, audit, open_engine
from storage.schema import submissions


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="intake")
    add_export_parser(top.add_subparsers(dest="command", required=True))
    return top


def run(*argv: str) -> int:
    args = parser().parse_args(["export", *argv])
    return args.func(args)


@pytest.fixture
def stored(
    intake: Intake, store: SubmissionStore, engine: Engine, valid_answers: dict[str, Any]
) -> dict[str, str]:
    """Four submissions over November: name → reference. `late` is reviewed."""
    cases = {
        "early": ({}, dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)),  # candidate
        "mid": ({"hot_swollen": "yes"}, dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)),  # urgent
        "mid_late": ({"blood_thinners": "yes"}, dt.datetime(2026, 11, 15, 23, 59, 59,
                                                            tzinfo=dt.UTC)),  # review
        # 2026-11-30 20:00 in New York is 2026-12-01 01:00 UTC: outside November in UTC
        "late": ({"fever": "yes"}, dt.datetime(2026, 11, 30, 20, 0,
                                               tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
    }
    refs = {}
    for name, (changes, at) in cases.items():
        saved = intake.submit(store, {**valid_answers, **changes}, name, submitted_at=at)
        refs[name] = saved.reference
    with engine.begin() as conn:
        conn.execute(update(submissions).where(submissions.c.reference == refs["late"])
                     .values(status="reviewed"))
    return refs


def references(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row["reference"] for row in csv.DictReader(f)]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ([], ["early", "mid", "mid_late", "late"]),
        (["--since", "2026-11-15"], ["mid", "mid_late", "late"]),
        (["--until", "2026-11-15"], ["early", "mid", "mid_late"]),  # the whole last day
        (["--since", "2026-11-16", "--until", "2026-11-30"], []),
        (["--since", "2026-12-01", "--until", "2026-12-01"], ["late"]),  # days are UTC
        (["--outcome", "urgent"], ["mid"]),
        (["--outcome", "urgent", "--outcome", "review"], ["mid", "mid_late"]),
        (["--outcome", "exclude"], ["late"]),
        (["--status", "reviewed"], ["late"]),
        (["--status", "new", "--outcome", "candidate", "--outcome", "exclude"], ["early"]),
        (["--since", "2026-11-02", "--status", "new"], ["mid", "mid_late"]),
    ],
)
def test_filters_select_the_right_rows(
    db_url: str, stored: dict[str, str], tmp_path: Path, filters: list[str], expected: list[str]
) -> None:
    out = tmp_path / "export.csv"
    assert run("--database", db_url, "--out", str(out), *filters) == 0
    assert references(out) == [stored[name] for name in expected]


def test_the_output_file_is_private_and_written_whole(
    db_url: str, stored: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    assert run("--database", db_url, "--out", str(out), "--format", "labels") == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # exports hold patient data
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export")] == []
    assert out.read_bytes().count(b"\r\n") == 5  # header + 4 rows, CRLF kept


def test_a_pipe_given_as_out_is_written_to_not_replaced(
    db_url: str, stored: dict[str, str], tmp_path: Path
) -> None:
    """`--out /dev/null` or a named pipe: replacing it with a file (as a regular file is,
    atomically) would break the device for every other program on the machine."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    assert run("--database", db_url, "--out", str(pipe)) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert received and received[0].count(b"\r\n") == 5  # header + 4 rows


def test_stdout_gets_the_csv_and_stderr_the_summary(
    db_url: str, stored: dict[str, str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert run("--database", db_url, "--outcome", "urgent") == 0
    captured = capsysbinary.readouterr()
    rows = list(csv.reader(io.StringIO(captured.out.decode("utf-8"), newline="")))
    assert [row[1] for row in rows] == ["reference", stored["mid"]]
    assert captured.out.endswith(b"\r\n") and b"\r\r\n" not in captured.out
    assert b"1 rows (csv) written to stdout" in captured.err


@pytest.mark.parametrize("fmt", ["fhir", "fhir-questionnaire", "dictionary"])
def test_each_format_runs_through_the_command(
    db_url: str, stored: dict[str, str], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "out"
    assert run("--database", db_url, "--format", fmt, "--out", str(out)) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "fhir":
        assert len(json.loads(text)["entry"]) == 4
    elif fmt == "fhir-questionnaire":
        assert json.loads(text)["resourceType"] == "Questionnaire"
    else:
        assert text.startswith("Variable / Field Name,Form Name,")


def test_describing_the_form_does_not_open_the_database(tmp_path: Path) -> None:
    database = tmp_path / "nowhere" / "intake.db"
    out = tmp_path / "dictionary.csv"
    assert run("--database", f"sqlite:///{database}", "--format", "dictionary",
               "--out", str(out)) == 0
    assert out.exists() and not database.parent.exists()


def test_audit_export_is_delegated_or_clearly_unavailable(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.csv"
    code = run("--database", db_url, "--format", "audit", "--out", str(out))
    if importlib.util.find_spec("exports.audit") is None:
        assert code == 1 and not out.exists()
        assert "audit export is not available" in capsys.readouterr().err
    else:
        assert code == 0 and out.exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--since", "2026-11-20", "--until", "2026-11-01"], "--since 2026-11-20 is after --until"),
        (["--lang", "xx"], "--lang 'xx' is not a language of the form"),
        (["--out", "/nonexistent-folder/x.csv"], "does not exist"),
    ],
)
def test_bad_requests_exit_1_with_a_message(
    db_url: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--database", db_url, *argv) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--format", "xlsx"], ["--since", "26/11/2026"], ["--outcome", "maybe"], ["--status", "x"]],
)
def test_argparse_refuses_unknown_values(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parser().parse_args(["export", *argv])
    assert exit_info.value.code == 2


def test_a_database_given_on_the_main_parser_is_kept(
    db_url: str, stored: dict[str, str], tmp_path: Path
) -> None:
    top = argparse.ArgumentParser(prog="intake")
    top.add_argument("--database")
    add_export_parser(top.add_subparsers(dest="command", required=True))
    out = tmp_path / "export.csv"
    args = top.parse_args(["--database", db_url, "export", "--out", str(out)])
    assert run_export(args) == 0 and len(references(out)) == 4



def test_a_cli_export_writes_one_audit_row_with_the_count(tmp_path: Path, intake: Intake) -> None:
    url = f"sqlite:///{tmp_path}/audit.db"
    engine = open_engine(url)
    rng = random.Random(3)
    for i in range(3):
        raw = Synthesizer(intake.form).answers(rng, dt.date.today())
        intake.submit(SubmissionStore(engine), raw, f"k{i}")
    parser = argparse.ArgumentParser()
    add_export_parser(parser.add_subparsers())
    args = parser.parse_args(
        ["export", "--format", "csv", "--out", str(tmp_path / "o.csv"), "--database", url]
    )
    assert run_export(args) == 0
    rows = audit.latest(engine, action=audit.EXPORT)
    assert [(r.count, r.user.startswith("cli:")) for r in rows] == [(3, True)]
    assert "format=csv" in rows[0].detail


NOT_FOR_CSV = ("alembic", "intake_pipeline", "rules", "questions.synthetic", "storage.bulk",
               "storage.maintenance", "pandas", "streamlit")
"""Modules a CSV export never needs: start-up is part of its time (README, Benchmarks)."""


def test_a_csv_export_imports_only_what_it_needs(
    tmp_path: Path, intake: Intake, valid_answers: dict[str, Any]
) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    engine = open_engine(url)  # made and migrated here: the export finds it at the newest revision
    intake.submit(SubmissionStore(engine), valid_answers, "k1")
    engine.dispose()
    out = tmp_path / "o.csv"
    script = (
        "import sys, intake_cli\n"
        f"code = intake_cli.main(['export', '--database', {url!r}, '--out', {str(out)!r}])\n"
        f"print(code, sorted(m for m in {NOT_FOR_CSV!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    assert done.stdout.split("\n")[0] == "0 []"
    assert len(references(out)) == 1
