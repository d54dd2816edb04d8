"""The `intake` command, in-process through main() and once as the installed script."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from intake_cli import main, shown_url
from questions import DEFAULT_FORM, Messages, Msg, Problem
from rules import DEFAULT_RULES
from storage import SubmissionStore, open_engine

AT = "2026-11-26T15:00:00Z"
INTAKE = Path(sys.executable).parent / "intake"


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_doc(tmp_path: Path, doc: Any, name: str = "doc.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def stored(db_url: str) -> list[dict[str, Any]]:
    engine = open_engine(db_url)
    try:
        return list(SubmissionStore(engine).all())
    finally:
        engine.dispose()


# ---- check ---------------------------------------------------------------------------


def test_check_passes_on_the_shipped_definitions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert code == 0 and err == ""
    assert out.startswith("OK: prolotherapy_intake version 2026112601: 55 questions, 27 rules")


@pytest.mark.parametrize(
    ("option", "source", "old", "new", "expected"),
    [
        ("--form", DEFAULT_FORM, "choices: sex\n", "choices: sexx\n",
         Problem.of(Msg.UNKNOWN_CHOICE_LIST, "broken.yaml", "sex_at_birth", name="sexx",
                    suggestion=" (did you mean 'sex'?)")),
        ("--form", DEFAULT_FORM, "    max_length: 100\n", "    max_lenght: 100\n",
         Problem.of(Msg.FIELD_UNKNOWN, "broken.yaml", "first_name", field="max_lenght",
                    suggestion=" (did you mean 'max_length'?)")),
        ("--rules", DEFAULT_RULES, "when: \"fever = 'yes'\"", "when: \"fevr = 'yes'\"",
         Problem.of(Msg.UNKNOWN_NAME, "broken.yaml", "EX-fever", field="when", name="fevr",
                    suggestion=" (did you mean 'fever'?)")),
    ],
)
def test_check_lists_each_problem_of_a_broken_definition_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
    option: str, source: Path, old: str, new: str, expected: Problem,
) -> None:
    text = source.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run(capsys, "check", option, str(broken))
    assert code == 1 and out == ""
    assert str(expected) in err.splitlines()


def test_check_prints_warnings_but_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    old = "    when: \"fever = 'yes'\"\n"
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace(old, old + "    params: {spare: 1}\n"), encoding="utf-8")
    code, out, err = run(capsys, "check", "--rules", str(rules))
    unused = Problem.of(Msg.UNUSED_PARAM, "rules.yaml", "EX-fever", name="spare")
    assert code == 0 and out.startswith("OK: ")
    assert err.splitlines() == [str(unused).replace(": error: ", ": warning: ")]


# ---- submit --------------------------------------------------------------------------


def test_submit_stores_a_valid_document_and_prints_its_reference(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str, valid_answers: dict
) -> None:
    doc = {"submission_key": "k-1", "submitted_at": AT, "answers": valid_answers}
    code, out, err = run(capsys, "submit", write_doc(tmp_path, doc), "--database", db_url)
    result = json.loads(out)
    [record] = stored(db_url)
    assert code == 0 and err == ""
    assert set(result) == {"id", "reference", "outcome", "duplicate"}
    assert result == {"id": record["id"], "reference": record["reference"],
                      "outcome": "candidate", "duplicate": False}
    assert record["submission_key"] == "k-1"
    assert record["submitted_at"] == dt.datetime(2026, 11, 26, 15, tzinfo=dt.UTC)


def test_submit_of_the_same_document_twice_is_one_submission(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str, valid_answers: dict
) -> None:
    path = write_doc(tmp_path, {"submitted_at": AT, "answers": valid_answers})  # no key
    _, first, _ = run(capsys, "submit", path, "--database", db_url)
    code, second, _ = run(capsys, "submit", path, "--database", db_url)
    first_result, second_result = json.loads(first), json.loads(second)
    assert code == 0 and second_result["duplicate"] is True and first_result["duplicate"] is False
    assert second_result["reference"] == first_result["reference"]
    [record] = stored(db_url)
    assert record["submission_key"].startswith("doc-sha256-")


def test_submit_reads_the_document_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str,
    valid_answers: dict,
) -> None:
    doc = json.dumps({"submitted_at": AT, "answers": {**valid_answers, "hot_swollen": "yes"}})
    code, out, _ = run(capsys, "submit", "-", "--database", db_url, stdin=doc,
                       monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["outcome"] == "urgent"


def test_submit_names_each_invalid_answer_in_plain_words_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str, valid_answers: dict,
    messages: Messages,
) -> None:
    answers = {**valid_answers, "height_ft": 12, "phone": "12", "consent_store": False}
    path = write_doc(tmp_path, {"submitted_at": AT, "answers": answers})
    code, out, err = run(capsys, "submit", path, "--database", db_url)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert f"height_ft: {messages.get('error_range', min=3, max=8)}" in lines
    assert "height_ft: Please enter a number from 3 to 8." in lines
    assert f"phone: {messages.get('error_phone')}" in lines
    assert f"consent_store: {messages.get('error_must_check')}" in lines
    assert "Lopez" not in err  # the patient's answers are not echoed
    assert stored(db_url) == []


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ('{"answers": {', "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"submitted_at": "2026-11-26T15:00:00Z"}', 'needs "answers"'),
        ('{"answers": ["first_name"]}', 'needs "answers"'),
        ('{"answer": {}}', "unknown key(s) answer"),
        ('{"answers": {}, "submitted_at": "yesterday"}', "submitted_at must be an ISO-8601"),
        ('{"answers": {}, "submission_key": ""}', "submission_key must be text"),
        ('{"answers": {}, "submission_key": 42}', "submission_key must be text"),
    ],
)
@pytest.mark.parametrize("command", ["submit", "screen"])
def test_a_malformed_document_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str,
    command: str, document: str, says: str,
) -> None:
    code, out, err = run(capsys, command, write_doc(tmp_path, document), "--database", db_url)
    assert code == 2 and out == "" and says in err
    assert "Traceback" not in err


def test_submit_of_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    code, _, err = run(capsys, "submit", str(tmp_path / "nope.json"), "--database", db_url)
    assert code == 2 and "cannot read" in err


def test_submit_of_a_used_key_with_other_answers_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str, valid_answers: dict
) -> None:
    first = {"submission_key": "k-1", "submitted_at": AT, "answers": valid_answers}
    other = {**first, "answers": {**valid_answers, "pain_average": 7}}
    assert run(capsys, "submit", write_doc(tmp_path, first, "a.json"), "--database", db_url)[0] == 0
    code, out, err = run(capsys, "submit", write_doc(tmp_path, other, "b.json"),
                         "--database", db_url)
    assert code == 2 and out == "" and "different answers" in err
    assert len(stored(db_url)) == 1


# ---- screen --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "outcome", "rules"),
    [
        ({}, "candidate", []),
        ({"hot_swollen": "yes", "diabetes": "not_sure"}, "urgent",
         ["RF-hot-swollen-joint", "CR-diabetes"]),
        ({"pain_average": 2}, "review", ["CR-mild-pain"]),
    ],
)
def test_screen_prints_outcome_rules_and_calculated_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str, valid_answers: dict,
    changes: dict, outcome: str, rules: list[str],
) -> None:
    doc = {"submitted_at": AT, "answers": {**valid_answers, **changes}}
    code, out, err = run(capsys, "screen", write_doc(tmp_path, doc), "--database", db_url)
    assert code == 0 and err == ""
    assert json.loads(out) == {
        "outcome": outcome,
        "rules": rules,
        "calculated": {"age": 64, "bmi": 28.3, "nice_oa_features": True},
    }
    assert not Path(make_url(db_url).database or "").exists()


def test_screen_names_each_invalid_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, valid_answers: dict, messages: Messages
) -> None:
    doc = {"submitted_at": AT, "answers": {**valid_answers, "weight_lb": 20, "signature": "X"}}
    code, _, err = run(capsys, "screen", write_doc(tmp_path, doc))
    assert code == 2
    assert f"weight_lb: {messages.get('error_range', min=50, max=700)}" in err.splitlines()
    assert f"signature: {messages.get('error_signature')}" in err.splitlines()


# ---- migrate and seed-demo -----------------------------------------------------------


def test_migrate_creates_the_database_and_says_where(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    code, out, _ = run(capsys, "migrate", "--database", db_url)
    path = Path(make_url(db_url).database or "")
    assert code == 0 and path.exists() and str(path) in out
    assert stored(db_url) == []


def test_database_urls_are_shown_without_their_password() -> None:
    shown = shown_url("postgresql+psycopg://clinic:s3cret@db.example.org/intake")
    assert shown == "postgresql+psycopg://clinic:***@db.example.org/intake"


def test_seed_demo_stores_n_valid_screened_submissions_over_180_days(
    capsys: pytest.CaptureFixture[str], db_url: str, intake: Any
) -> None:
    code, out, _ = run(capsys, "seed-demo", "--n", "50", "--seed", "5", "--database", db_url)
    records = stored(db_url)
    now = dt.datetime.now(dt.UTC)
    assert code == 0 and "50" in out and len(records) == 50
    assert len({r["reference"] for r in records}) == 50
    for record in records:
        assert now - dt.timedelta(days=181) < record["submitted_at"] <= now
        on = record["submitted_at"].date()
        assert intake.validate(record["answers"], on=on).answers == record["answers"]
        assert record["outcome"] in {"urgent", "exclude", "review", "candidate"}
        assert record["rules_version"] == intake.rules.version


# ---- the installed script ------------------------------------------------------------


def test_the_installed_intake_script_checks_and_submits(
    tmp_path: Path, db_url: str, valid_answers: dict
) -> None:
    env = {**os.environ, "INTAKE_DATABASE_URL": db_url}
    check = subprocess.run([str(INTAKE), "check"], capture_output=True, text=True,
                           cwd=tmp_path, env=env, timeout=120)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("OK: prolotherapy_intake")
    doc = json.dumps({"submission_key": "sub-1", "submitted_at": AT, "answers": valid_answers})
    submit = subprocess.run([str(INTAKE), "submit", "-"], input=doc, capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=120)
    assert submit.returncode == 0, submit.stderr
    assert json.loads(submit.stdout)["outcome"] == "candidate"
    assert [r["submission_key"] for r in stored(db_url)] == ["sub-1"]
