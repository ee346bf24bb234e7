"""The prepared GPU benchmark keeps working where no GPU is: its fixer part loads every bundled
fixer on the CPU and on its GPU provider, and says where each really ran or why it could not."""

from __future__ import annotations

import pytest

from anicurate.core.fix.models import list_models
from tests.benchmarks import gpu


def test_every_bundled_fixer_is_timed_on_the_cpu_and_tried_on_its_gpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gpu, "FIX_SIZE", (96, 64))  # the same code path, in a second or two
    report = gpu.fixers(1)
    bundled = {f"{m.kind} {m.name}": m for m in list_models() if m.engine in gpu.FIX_GPU}
    assert bundled and set(report) == {"size", "frames", *bundled}
    for name, info in bundled.items():
        row, device = report[name], gpu.FIX_GPU[info.engine]
        assert row["cpu"]["ran_on"] == "cpu" and row["cpu"]["fps"] > 0
        tried = row[device]
        if "fps" in tried:  # a GPU ran it: then it says so, and the ratio is there
            assert tried["ran_on"] == device and f"ratio_{device}_cpu" in row
        else:
            assert tried["not_measured"]  # why, in the engine's words
