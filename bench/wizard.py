"""Scenario 4a: server-side time of each wizard rerun (AppTest) against a bare script.

A patient is walked through the whole wizard with the BASELINE answers of
tests/wizard_driver.py: one rerun per answer, one per Next, one for Submit, each timed
around `AppTest.run()`. Every rerun's elements are recorded, and `bench/bare_wizard.py`
then draws exactly those elements run for run under the same AppTest harness: the floor.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from bench.common import Context, Result, median, percentile, quiet_streamlit, timed
from bench.stores import sqlite_url
from tests import wizard_driver as drv

TARGET = 2.0
BARE_SCRIPT = str(Path(__file__).resolve().parent / "bare_wizard.py")


def run(ctx: Context) -> list[Result]:
    quiet_streamlit()
    os.environ["INTAKE_DATABASE_URL"] = sqlite_url(ctx.work_dir / "wizard.db")
    spec: list[list[dict[str, Any]]] = []
    walk(spec)  # warm-up (definitions loaded, database created), and what the floor draws
    spec_path = ctx.work_dir / "bare_spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    os.environ["BENCH_BARE_SPEC"] = str(spec_path)
    replay(len(spec))  # warm-up of the floor
    ours: list[float] = []
    kinds: list[str] = []
    bare: list[float] = []
    for _ in range(ctx.sizes.repeats * 2):  # interleaved, so a busy moment hits both alike
        times = walk([])
        ours += [t for t, _ in times]
        kinds += [k for _, k in times]
        bare += replay(len(spec))
    ours_ms, bare_ms = median(ours) * 1000, median(bare) * 1000
    next_ms = [t * 1000 for t, k in zip(ours, kinds, strict=True) if k != "answer"]
    return [Result(
        "wizard", "wizard rerun, median over steps", "ms", ours_ms, bare_ms,
        target=f"≤ {TARGET}× floor", met=ours_ms <= TARGET * bare_ms,
        details={"reruns": len(ours), "ours_p95_ms": percentile(ours, 95) * 1000,
                 "bare_p95_ms": percentile(bare, 95) * 1000,
                 "next_or_submit_median_ms": median(next_ms) if next_ms else None,
                 "answer_median_ms": median([t * 1000 for t, k in zip(ours, kinds, strict=True)
                                             if k == "answer"])},
    )]


def replay(runs: int) -> list[float]:
    """The bare script run as many times as the wizard ran; seconds of each rerun."""
    at = AppTest.from_file(BARE_SCRIPT, default_timeout=drv.TIMEOUT).run()
    return [timed(at.run)[0] for _ in range(runs - 1)]


def walk(spec: list[list[dict[str, Any]]]) -> list[tuple[float, str]]:
    """One patient from the first page to the confirmation; (seconds, kind) per rerun."""
    at = AppTest.from_file(drv.APP, default_timeout=drv.TIMEOUT).run()
    drv.check(at)
    spec.append(elements(at.main))
    times: list[tuple[float, str]] = []

    def rerun(kind: str) -> None:
        seconds, _ = timed(at.run)
        drv.check(at)
        times.append((seconds, kind))
        spec.append(elements(at.main))

    for answers in drv.BASELINE:
        before = drv.header(at)
        for qid, value in answers.items():
            drv.answer(at, qid, value)
            rerun("answer")
        at.button(key="nav_next").click()
        rerun("next")
        if drv.header(at) == before:
            raise RuntimeError(f"Next did not leave {before!r}: {drv.errors(at)}")
    at.button(key="nav_submit").click()
    rerun("submit")
    if not at.subheader or "-" not in at.subheader[0].value:
        raise RuntimeError("the wizard did not reach its confirmation")
    return times


def elements(node: Any) -> list[dict[str, Any]]:
    """What a run drew, as JSON the bare script can draw again."""
    out = []
    for child in (getattr(node, "children", None) or {}).values():
        item: dict[str, Any] = {"type": child.type}
        if isinstance(child, Block):
            item["children"] = elements(child)
        else:
            for name in ("label", "key", "horizontal"):
                value = getattr(child, name, None)
                if isinstance(value, str | bool):
                    item[name] = value
            options = getattr(child, "options", None)
            if isinstance(options, list):
                item["options"] = [str(o) for o in options]
            try:
                value = child.value
            except Exception:  # noqa: BLE001 - some widgets have no plain value to show
                value = None
            if isinstance(value, str):
                item["value"] = value
            if item.get("type") == "progress":
                item["label"] = getattr(getattr(child, "proto", None), "text", "")
        out.append(item)
    return out
