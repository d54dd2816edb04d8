"""Run one function over several parts of a store in forked processes (one-shot commands).

`intake rescreen` is CPU-bound Python over every stored submission: one process uses one
core. Each part runs in a child forked from the command's process, so the loaded
definitions are shared as they are (nothing is pickled on the way in), and only the small
result comes back, pickled through a pipe. Each child must open its own database engine:
a pooled connection never crosses a fork. POSIX only (fork); elsewhere the parts run one
after another in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Part = TypeVar("Part")
Result = TypeVar("Result")


class WorkerFailed(RuntimeError):
    """A part failed in its child process; the message carries the child's traceback."""


def default_jobs() -> int:
    """The cores this process may use (at least 1)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def run_parts(work: Callable[[Part], Result], parts: Sequence[Part]) -> list[Result]:
    """`work(part)` for every part, each in its own forked child, results in part order.

    A child that raises (or dies) makes this raise WorkerFailed after every child has
    ended; the parts that did finish have committed what they wrote.
    """
    if len(parts) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(part) for part in parts]
    fork = multiprocessing.get_context("fork")
    children = []
    for part in parts:
        receive, send = fork.Pipe(duplex=False)
        child = fork.Process(target=_child, args=(work, part, send), daemon=True)
        child.start()
        send.close()  # the child holds the only writing end: EOF if it dies
        children.append((child, receive))
    outcomes = []
    for child, receive in children:
        try:
            outcomes.append(receive.recv())
        except EOFError:
            child.join()
            outcomes.append((False, f"the worker process ended without a result "
                                    f"(exit status {child.exitcode})"))
        receive.close()
        child.join()
    failures = [detail for ok, detail in outcomes if not ok]
    if failures:
        raise WorkerFailed(failures[0])
    return [result for _, result in outcomes]


def _child(work: Callable[[Any], Any], part: Any, send: Any) -> None:
    try:
        outcome = (True, work(part))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        outcome = (False, traceback.format_exc())
    send.send(outcome)
    send.close()
