"""Fewer garbage-collector passes while a command works through many stored rows.

Decoding 100,000 stored JSON documents makes millions of small dicts and lists, none of
them in reference cycles, so reference counting frees every batch. CPython's collector
still runs on allocation counts and walks every tracked object on its older passes: with
the loaded questionnaire, rules and a batch alive, it took over a quarter of `intake
rescreen`. Freezing what exists at the start (modules, definitions) and raising the
first threshold keeps the collector from walking them again and again. For one-shot
commands only: the settings are process-wide, so never use it inside the Streamlit server.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLD = 50_000
"""Allocations between young collections (CPython's default is 700)."""


@contextmanager
def quiet_collector(threshold: int = BULK_THRESHOLD) -> Iterator[None]:
    """Collect once, freeze the survivors, collect rarely; restore everything on exit."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
