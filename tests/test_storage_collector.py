"""The quiet collector used by one-shot bulk commands leaves the process as it found it."""

from __future__ import annotations

import gc
import weakref

import pytest

from storage.collector import quiet_collector


def test_thresholds_and_frozen_objects_are_restored_on_exit() -> None:
    before = gc.get_threshold()
    with quiet_collector(threshold=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_settings_are_restored_when_the_work_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), quiet_collector():
        raise RuntimeError("the command failed")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


class Node:
    """A weak-referenceable object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.me = self


def test_cycles_made_during_the_work_are_freed_afterwards() -> None:
    with quiet_collector():
        node = Node()
        alive = weakref.ref(node)
        del node
    gc.collect()
    assert alive() is None
