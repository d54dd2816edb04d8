"""Starting writer processes (tests/helpers/writer.py) and reading their lines with a deadline."""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

WRITER = Path(__file__).with_name("writer.py")


def job(key: str, answers: Mapping[str, Any], variant: str, at: dt.datetime) -> dict[str, Any]:
    """A submission document; `variant` goes into a free-text answer so documents differ."""
    return {"key": key, "submitted_at": at.isoformat(),
            "answers": {**answers, "goals": f"Walk my dog again ({variant})."}}


def start_writer(url: str, jobs: Sequence[Mapping[str, Any]], folder: Path, name: str,
                 wait: bool = False) -> subprocess.Popen[bytes]:
    jobs_file = folder / f"{name}.json"
    jobs_file.write_text(json.dumps(list(jobs)), encoding="utf-8")
    args = [sys.executable, str(WRITER), url, str(jobs_file)] + (["--wait"] if wait else [])
    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


class LineReader:
    """Whole lines from a process's stdout, never blocking past a deadline."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self.closed = False

    def lines(self, n: int, timeout: float) -> list[str]:
        """The next `n` lines (fewer if the process ends first); TimeoutError if too slow."""
        deadline = time.monotonic() + timeout
        out: list[str] = []
        while len(out) < n:
            if b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                out.append(line.decode("utf-8"))
                continue
            if self.closed:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"only {len(out)} of {n} lines within {timeout} s")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                self.buffer += chunk
                self.closed = not chunk
        return out

    def rest(self, timeout: float) -> list[str]:
        """Every remaining line until the process closes its stdout."""
        return self.lines(10**9, timeout)
