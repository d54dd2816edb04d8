"""A writer process for the concurrency and crash tests: submits documents, one per line.

    python tests/helpers/writer.py DATABASE_URL JOBS.json [--wait]

JOBS.json is a list of {"key", "submitted_at", "answers"}. With --wait the process loads
everything, prints "ready" and waits for a line on stdin, so that several writers start
together. For each job it prints one JSON line, flushed, only after `Intake.submit`
returned, i.e. after COMMIT: {"key", "id", "reference", "duplicate"}, or {"key",
"conflict": true} when the key is stored with other answers. Any other error ends the
process with a traceback on stderr and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from intake_pipeline import Intake  # noqa: E402
from storage import KeyConflict, SubmissionStore, open_engine  # noqa: E402


def main(url: str, jobs_file: str, wait: bool) -> int:
    jobs = json.loads(Path(jobs_file).read_text(encoding="utf-8"))
    intake = Intake.load()
    engine = open_engine(url)
    store = SubmissionStore(engine)
    if wait:
        print("ready", flush=True)
        sys.stdin.readline()
    for job in jobs:
        at = dt.datetime.fromisoformat(job["submitted_at"])
        try:
            saved = intake.submit(store, job["answers"], job["key"], at)
        except KeyConflict:
            line = {"key": job["key"], "conflict": True}
        else:
            line = {"key": job["key"], "id": saved.id, "reference": saved.reference,
                    "duplicate": saved.duplicate}
        print(json.dumps(line), flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], "--wait" in sys.argv[3:]))
