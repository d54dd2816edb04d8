"""Seeded SQLite stores, kept between runs: seeding 100,000 submissions takes minutes.

Stores are made by `intake seed-demo` (validated and screened for real, like the product's
demo data), into a temporary name that is renamed only when complete, so an interrupted
seed is never reused. The 1,000,000 store is the 100,000 store copied ten times over by
SQL with new ids, references and keys: the export's memory does not care that answers
repeat, and seeding a million would take half an hour.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from bench.common import MILLION, Context, python_command, run_process

SEED = 8
"""Random seed of the demo answers: the same stores on every machine."""


def store_path(ctx: Context, n: int) -> Path:
    return ctx.data_dir / f"store-{n}.db"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def seeded_store(ctx: Context, n: int) -> Path:
    """A SQLite file holding n demo submissions (made once, then reused)."""
    path = store_path(ctx, n)
    if path.exists():
        _refresh(ctx, path)
        return path
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    _remove(partial)
    if n == MILLION:
        _multiply(seeded_store(ctx, n // 10), partial, 10)
    else:
        ctx.say(f"seeding {n:,} demo submissions into {path} (once; reused by later runs)")
        run = run_process(python_command("-m", "intake_cli", "seed-demo", "--n", str(n),
                                         "--seed", str(SEED), "--database", sqlite_url(partial)))
        ctx.say(f"seeded {n:,} in {run.seconds:.0f} s")
    _checkpoint(partial)
    os.replace(partial, path)
    _remove(partial)  # its emptied -wal and -shm files
    return path


def _multiply(source: Path, target: Path, times: int) -> None:
    """A copy of `source` with every submission repeated `times` times under new ids."""
    _checkpoint(source)
    shutil.copyfile(source, target)
    columns = ("submitted_at, form_id, form_version, language, answers, calculated, "
               "answers_sha256, rules_version, outcome, rules_fired, status, search_text, "
               "choice_tokens, export_layout, export_cells")
    with sqlite3.connect(target) as conn:
        last = conn.execute("SELECT max(rowid) FROM submissions").fetchone()[0]
        for k in range(1, times):
            conn.execute(
                f"INSERT INTO submissions (id, reference, submission_key, {columns}) "
                f"SELECT printf('%08x', {k}) || substr(id, 9), reference || '{k}', "
                f"submission_key || '-{k}', {columns} FROM submissions WHERE rowid <= ?",
                (last,),
            )
            conn.commit()


def _refresh(ctx: Context, path: Path) -> None:
    """A store kept from an earlier run, brought to this version: migrated, and its export
    cells cached for the current layout (`intake refresh-exports`, as after an upgrade).
    A no-op on a store that is already current."""
    run = run_process(python_command("-m", "intake_cli", "refresh-exports", "--database",
                                     sqlite_url(path)))
    if run.seconds > 5:
        ctx.say(f"refreshed the export cells of {path.name} in {run.seconds:.0f} s")


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so the file alone is the whole store."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
