"""Parts of a one-shot command run in forked worker processes (`storage.workers`)."""

from __future__ import annotations

import os

import pytest

from storage.workers import WorkerFailed, default_jobs, run_parts


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("part three is broken")
    return n


def die_on_two(n: int) -> int:
    if n == 2:
        os._exit(7)
    return n


def test_each_part_runs_in_its_own_process_and_results_keep_the_part_order() -> None:
    results = run_parts(square_with_pid, [1, 2, 3, 4])
    assert [square for square, _ in results] == [1, 4, 9, 16]
    pids = {pid for _, pid in results}
    assert len(pids) == 4 and os.getpid() not in pids


def test_one_part_runs_here() -> None:
    assert run_parts(square_with_pid, [5]) == [(25, os.getpid())]


def test_a_part_that_raises_fails_the_run_with_its_traceback() -> None:
    with pytest.raises(WorkerFailed, match="part three is broken"):
        run_parts(fail_on_three, [1, 2, 3, 4])


def test_a_worker_that_dies_fails_the_run_with_its_exit_status() -> None:
    with pytest.raises(WorkerFailed, match="exit status 7"):
        run_parts(die_on_two, [1, 2, 3])


def test_default_jobs_is_at_least_one() -> None:
    assert default_jobs() >= 1
