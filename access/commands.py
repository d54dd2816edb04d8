"""`intake add-user`, `disable-user` and `enable-user`: account administration from a shell.

The password is read from standard input, never from an argument (arguments end up in shell
history and in `ps` output): typed twice without echo at a terminal, or one line from a
pipe (`printf '%s\\n' "$PW" | intake add-user NAME`). Refusals print one line on stderr
and return exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from access.accounts import AccountError, create_user, disable_user, enable_user
from access.passwords import MAX_LENGTH, MIN_LENGTH
from storage import default_url, open_engine

EXIT_REFUSED = 2


def add_user_parsers(subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()) -> None:
    """Add the three account commands to the `intake` parser (pass its common parents,
    e.g. the one with --database)."""
    for name, run, doc in (
        ("add-user", run_add_user,
         f"Create a clinician account; the password ({MIN_LENGTH}-{MAX_LENGTH} characters) "
         "is read from standard input."),
        ("disable-user", run_disable_user, "Refuse every future login of an account."),
        ("enable-user", run_enable_user, "Allow a disabled account to log in again."),
    ):
        sub = subparsers.add_parser(name, parents=list(parents), help=doc, description=doc)
        sub.add_argument("name", metavar="NAME", help="user name (letters, digits, . _ @ -)")
        if not any(a.dest == "database" for p in parents for a in p._actions):
            sub.add_argument("--database", metavar="URL",
                             help="SQLAlchemy database URL (default: INTAKE_DATABASE_URL)")
        sub.set_defaults(run=run)


def run_add_user(
    args: argparse.Namespace,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] = getpass.getpass,
) -> int:
    stdin = stdin or sys.stdin
    try:
        password = read_password(stdin, ask)
        user = create_user(_engine(args), args.name, password, _now(), actor=_actor())
    except AccountError as e:
        return _refused("add-user", e)
    print(f"Created user {user.username}")
    return 0


def run_disable_user(args: argparse.Namespace) -> int:
    return _switch_user(args, "disable-user", disable_user, "Disabled")


def run_enable_user(args: argparse.Namespace) -> int:
    return _switch_user(args, "enable-user", enable_user, "Enabled")


def _switch_user(
    args: argparse.Namespace, command: str, switch: Callable[..., Any], done: str
) -> int:
    """Disable or enable the account named in `args`; print what was done."""
    try:
        user = switch(_engine(args), args.name, _now(), actor=_actor())
    except AccountError as e:
        return _refused(command, e)
    print(f"{done} user {user.username}")
    return 0


def read_password(stdin: TextIO, ask: Callable[[str], str] = getpass.getpass) -> str:
    """Twice without echo at a terminal; else one line from the pipe (its newline removed)."""
    if stdin.isatty():
        first = ask("Password: ")
        if ask("Repeat the password: ") != first:
            raise AccountError("the two passwords differ; nothing was changed")
        return first
    line = stdin.readline(4 * MAX_LENGTH + 2)
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise AccountError("no password on standard input (send it as one line)")
    return password


def _engine(args: argparse.Namespace) -> Any:
    return open_engine(getattr(args, "database", None) or default_url())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (OSError, KeyError):
        return f"cli:uid{os.getuid()}" if hasattr(os, "getuid") else "cli"


def _refused(command: str, error: Exception) -> int:
    print(f"intake {command}: {error}", file=sys.stderr)
    return EXIT_REFUSED
