"""Shot boundaries on real cel animation: the public-domain 1936 Popeye excerpts in
tests/core/data/real_cuts, with truth labelled by frame (truth.json; made by
tools/make_real_cuts.py). Each clip must give exactly its true cuts, and no boundary inside its
named traps. Clips anicurate gets wrong today are strict xfails that say which frame and why."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from anicurate.core.analysis import compute_signals, detect

DATA = Path(__file__).parent / "data" / "real_cuts"
TRUTH: dict[str, dict[str, object]] = json.loads((DATA / "truth.json").read_text())["clips"]

#: Clips where detection is wrong today (issue 18), with the false cut frames and what they are.
#: Signal values at those frames are in the issue-18 real-footage report.
#: Empty today; t02_pose was one until the signals' ``kept`` (its frame 22: a key-pose jump,
#: the vulture takes off over held rocks and sky, which gate weave and flicker had moved).
WRONG: dict[str, str] = {}


def _in(ranges: object, frame: int) -> bool:
    return any(a <= frame <= b for a, b in ranges)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=WRONG[n])) if n in WRONG else n
        for n in TRUTH
    ],
)
def test_real_cuts(name: str) -> None:
    """The exact true cut frames, no transition (this footage has none), nothing in a trap."""
    truth = TRUTH[name]
    _, sig = compute_signals(DATA / f"{name}.mp4")
    events = detect(sig)
    negatives: dict[str, list[list[int]]] = truth["negatives"]  # type: ignore[assignment]
    for trap, ranges in negatives.items():
        inside = [c for c in events.cuts if _in(ranges, c)]
        inside += [t for t in events.transitions if any(_in(ranges, f) for f in t)]
        assert not inside, f"{name}: boundaries in trap {trap}: {inside}"
    assert list(events.transitions) == truth["transitions"]
    assert list(events.cuts) == truth["cuts"]


def test_excerpts_match_their_sums() -> None:
    """Every excerpt the truth names is the committed file (SHA256SUMS), one per clip."""
    sums = dict(
        reversed(line.split("  ")) for line in (DATA / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == {f"{n}.mp4" for n in TRUTH}
    for file, digest in sums.items():
        assert hashlib.sha256((DATA / file).read_bytes()).hexdigest() == digest
