"""core/bulk.py: the collector is paused for a bulk read and restored however it ends."""

from __future__ import annotations

import gc

import pytest

from anicurate.core.bulk import collector_paused


def test_the_collector_pauses_and_comes_back_after_an_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("a damaged row")
    assert gc.isenabled()


def test_a_collector_paused_already_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # whoever paused it resumes it
    finally:
        gc.enable()
