"""Selection expressions (core/select.py), shot ranges for split at cuts (core/analysis/shots.py)
and the CLI's small pieces: the ETA, the tagger's CUDA refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from anicurate.cli import main
from anicurate.cli.common import ProgressBar, eta_text, plural
from anicurate.core.analysis.shots import shot_ranges
from anicurate.core.jobs import Progress
from anicurate.core.project import ClipStatus
from anicurate.core.select import ClipFacts, SelectionError, parse_selection


def facts(status: str = "unreviewed", flags: set[str] | None = None,
          tags: set[str] = frozenset()) -> ClipFacts:  # type: ignore[assignment]  # fmt: skip
    return ClipFacts(ClipStatus(status), None if flags is None else frozenset(flags),
                     frozenset(tags))  # fmt: skip


@pytest.mark.parametrize(
    ("text", "clip", "expected"),
    [
        ("unflagged", facts(flags=set()), True),
        ("unflagged", facts(flags=None), False),  # not analysed: unknown, not unflagged
        ("unflagged", facts(flags={"cut"}), False),
        ("flagged", facts(flags={"cut"}), True),
        ("flag:cut", facts(flags={"cut", "blurry"}), True),
        ("flag:large-motion", facts(flags={"large_motion"}), True),
        ("status:accepted", facts("accepted"), True),
        ("status:ACCEPTED", facts("rejected"), False),
        ("tag:long_hair", facts(tags={"long hair"}), True),
        ('tag:"Long Hair"', facts(tags={"long hair"}), True),
        ("not tag:text", facts(tags={"text"}), False),
        ("unflagged and not tag:text", facts(flags=set(), tags={"1girl"}), True),
        ("unflagged and not tag:text", facts(flags=set(), tags={"text"}), False),
        ("flag:cut or status:accepted", facts("accepted", flags=set()), True),
        ("tag:a or tag:b and tag:c", facts(tags={"a"}), True),  # and binds tighter
        ("(tag:a or tag:b) and tag:c", facts(tags={"a"}), False),
        ("not not all", facts(), True),
    ],
)
def test_selection_expressions(text: str, clip: ClipFacts, expected: bool) -> None:
    assert parse_selection(text)(clip) is expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("flag:nope", "unknown flag 'nope'"),
        ("status:maybe", "unknown status 'maybe'"),
        ("blurry", "unknown term 'blurry'"),
        ("unflagged and", "ends too early"),
        ("unflagged tag:x", "unexpected 'tag:x'"),
        ("(unflagged", "ends too early"),
        ("tag:", "needs a name"),
        ('tag:"open', "unclosed or stray quote"),
    ],
)
def test_bad_expressions_raise_a_typed_error(text: str, words: str) -> None:
    with pytest.raises(SelectionError, match=words):
        parse_selection(text)


def test_a_bad_where_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["crop", "--project", str(tmp_path / "p.anicurate"), "--fit", "--where", "x:y"])
    assert stop.value.code == 2 and "unknown term 'x:y'" in capsys.readouterr().err


def test_shot_ranges_leave_out_cuts_fades_and_flashes() -> None:
    assert shot_ranges(0, 99, [40]) == [(0, 39), (40, 99)]
    assert shot_ranges(0, 99, [40], drop=2) == [(0, 37), (42, 99)]
    assert shot_ranges(10, 99, [40], [(60, 64)]) == [(10, 39), (40, 59), (65, 99)]
    assert shot_ranges(10, 50, [5, 70]) == [(10, 50)]  # cuts outside the clip
    assert shot_ranges(0, 9, [], [(0, 9)]) == []  # all flash


def test_progress_shows_the_eta_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [0.0]
    stream = Tty()
    bar = ProgressBar("tagging", stream, clock=lambda: now[0])
    bar.update(Progress(1, 10, "a"))
    now[0] = 10.0
    bar.update(Progress(3, 10, "b"))  # 2 items in 10 s: 7 left take 35 s
    assert "3/10 ETA 35 s b" in stream.getvalue()
    assert eta_text(187) == "ETA 3:07" and eta_text(3723) == "ETA 1:02:03"
    assert plural(1, "clip") == "1 clip" and plural(2, "frame") == "2 frames"


def test_cuda_without_cuda_exits_1_unless_fallback_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from anicurate.core.media.writer import write_still
    from anicurate.core.tagging.model import load_tagger
    from tests.helpers.media_samples import pattern
    from tests.helpers.tagger_samples import make_tiny_tagger

    tagger = make_tiny_tagger(tmp_path / "tagger")
    if load_tagger(tagger, "cuda").fallback is None:
        pytest.skip("CUDA works here")
    still = write_still(tmp_path / "s.png", pattern(0))
    project = str(tmp_path / "p.anicurate")
    assert main(["import", project, str(still), "-q"]) == 0
    args = ["tag", "--project", project, "--model", str(tagger), "--provider", "cuda", "-q"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "CUDA was asked for but did not load" in err and "--allow-fallback" in err
    assert main([*args, "--allow-fallback"]) == 0
    assert "1 tagged" in capsys.readouterr().out


def test_batch_edits_are_one_undoable_edit_each(tmp_path: Path) -> None:
    from anicurate.core.project import PRESETS
    from anicurate.core.project.edits import (
        CropMode,
        change_settings,
        crop_clips,
        history,
        redo,
        split_ranges,
        undo,
    )
    from tests.helpers.export_samples import make_project, write_source

    a = write_source(tmp_path / "a.mp4", 48)
    b = write_source(tmp_path / "b.mp4", 48)
    project = make_project(tmp_path / "p.anicurate", [a, b], train_width=64, train_height=64)
    ids = [c.id for c in project.clips()]
    assert crop_clips(project, ids, CropMode.FIT) == 2
    assert {c.crop for c in project.clips()} == {(32, 0, 128, 128)}  # 192x128: middle square
    assert crop_clips(project, ids, CropMode.PAD) == 2
    assert {c.crop for c in project.clips()} == {(0, 0, 192, 192)}  # past the frame: Pad
    assert history(project)[0] == "Crop: pad (2 clips)"
    undo(project)
    assert {c.crop for c in project.clips()} == {(32, 0, 128, 128)}

    pieces = split_ranges(project, {ids[0]: [(0, 19), (24, 47)], ids[1]: [(0, 47)]}, "Split")
    assert [(c.first_frame, c.last_frame) for c in pieces[ids[0]]] == [(0, 19), (24, 47)]
    assert len(project.clips()) == 3
    undo(project)
    assert len(project.clips()) == 2
    redo(project)
    assert len(project.clips()) == 3

    old = project.settings()
    changed = change_settings(project, PRESETS["animov-512x"])
    assert "trigger_tag" in changed and project.settings().trigger_tag == "anime"
    undo(project)
    assert project.settings() == old
