"""`intake add-user`, `disable-user`, `enable-user`: the password comes from stdin only."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from access import authenticate, get_user
from access.commands import add_user_parsers, read_password, run_add_user
from storage import audit

PASSWORD = "correct horse battery staple"


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal (the password is then asked twice)."""

    def isatty(self) -> bool:
        return True


def prompts(*answers: str) -> Callable[[str], str]:
    replies: Iterator[str] = iter(answers)
    return lambda prompt: next(replies)


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL")
    parser = argparse.ArgumentParser(prog="intake")
    add_user_parsers(parser.add_subparsers(dest="command", required=True), parents=[common])
    return parser


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_add_user_reads_one_line_from_a_pipe(parser, db_url: str, engine: Engine, capsys):
    args = parser.parse_args(["add-user", "DrSmith", "--database", db_url])
    assert run_add_user(args, stdin=io.StringIO(PASSWORD + "\n")) == 0
    assert "Created user drsmith" in capsys.readouterr().out
    assert authenticate(engine, "drsmith", PASSWORD, now()).ok
    entry = audit.latest(engine, action=audit.USER_ADDED)[0]
    assert entry.user.startswith("cli") and entry.detail == "drsmith"


def test_spaces_in_a_piped_password_are_kept(parser, db_url: str, engine: Engine):
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert run_add_user(args, stdin=io.StringIO(f"  {PASSWORD}  \r\n")) == 0
    assert authenticate(engine, "drsmith", f"  {PASSWORD}  ", now()).ok
    assert not authenticate(engine, "drsmith", PASSWORD, now()).ok


def test_at_a_terminal_the_password_is_asked_twice(parser, db_url: str, engine: Engine):
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert run_add_user(args, stdin=Terminal(), ask=prompts(PASSWORD, PASSWORD)) == 0
    assert get_user(engine, "drsmith") is not None


def test_two_different_passwords_create_nothing(parser, db_url: str, engine: Engine, capsys):
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert run_add_user(args, stdin=Terminal(), ask=prompts(PASSWORD, PASSWORD + "!")) == 2
    assert "differ" in capsys.readouterr().err
    assert get_user(engine, "drsmith") is None


@pytest.mark.parametrize(("stdin", "message"), [
    ("short one\n", "at least 15"),
    ("", "no password"),
    ("\n", "no password"),
])
def test_refused_passwords_create_nothing(parser, db_url: str, engine: Engine, capsys,
                                          stdin: str, message: str):
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert run_add_user(args, stdin=io.StringIO(stdin)) == 2
    err = capsys.readouterr().err
    assert err.startswith("intake add-user: ") and message in err
    assert get_user(engine, "drsmith") is None


def test_an_existing_name_is_refused(parser, db_url: str, capsys):
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert run_add_user(args, stdin=io.StringIO(PASSWORD)) == 0
    assert run_add_user(args, stdin=io.StringIO(PASSWORD)) == 2
    assert "already exists" in capsys.readouterr().err


def test_the_password_cannot_be_given_as_an_argument(parser):
    with pytest.raises(SystemExit):
        parser.parse_args(["add-user", "drsmith", "--password", PASSWORD])
    with pytest.raises(SystemExit):
        parser.parse_args(["add-user", "drsmith", PASSWORD])


def test_disable_and_enable_user(parser, db_url: str, engine: Engine, capsys):
    add = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    run_add_user(add, stdin=io.StringIO(PASSWORD))
    disable = parser.parse_args(["disable-user", "drsmith", "--database", db_url])
    assert disable.run(disable) == 0
    assert authenticate(engine, "drsmith", PASSWORD, now()).reason == "disabled"
    enable = parser.parse_args(["enable-user", "drsmith", "--database", db_url])
    assert enable.run(enable) == 0
    assert authenticate(engine, "drsmith", PASSWORD, now()).ok
    out = capsys.readouterr().out
    assert "Disabled user drsmith" in out and "Enabled user drsmith" in out


@pytest.mark.parametrize("command", ["disable-user", "enable-user"])
def test_unknown_users_cannot_be_disabled_or_enabled(parser, db_url: str, capsys, command: str):
    args = parser.parse_args([command, "nobody", "--database", db_url])
    assert args.run(args) == 2
    assert "no user 'nobody'" in capsys.readouterr().err


def test_the_parsers_work_without_a_common_parent(db_url: str, engine: Engine):
    parser = argparse.ArgumentParser(prog="intake")
    add_user_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["add-user", "drsmith", "--database", db_url])
    assert args.run(args, stdin=io.StringIO(PASSWORD)) == 0
    assert get_user(engine, "drsmith") is not None


def test_read_password_reads_only_the_first_line():
    assert read_password(io.StringIO(f"{PASSWORD}\nsomething else\n")) == PASSWORD
