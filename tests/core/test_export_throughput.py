"""Export at encoder speed: parts of a clip from one decoding pass, frames shaped in FFmpeg's
formats, and the record saved no more often than it is cheap to."""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import pytest

from anicurate.core.export import ExportOptions, Target, plan_export
from anicurate.core.export.ownership import Ownership
from anicurate.core.project.edits import set_crop
from tests.helpers.export_samples import (
    QH,
    QW,
    clip_of,
    decode,
    project_with,
    read_quadrant,
    run,
)
from tests.helpers.export_samples import write_source as write_numbered

render_module = importlib.import_module("anicurate.core.export.render")



def test_the_parts_of_a_clip_come_from_one_decoding_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_numbered(tmp_path / "a.mp4", 48)
    project = project_with(tmp_path, [src])
    set_crop(project, clip_of(project, "a.mp4"), (QW, QH, QW, QH))  # yellow, bottom right
    opened: list[str] = []
    real = render_module.open_media

    def counting(path: Any, **kw: Any) -> Any:
        opened.append(str(path))
        return real(path, **kw)

    monkeypatch.setattr(render_module, "open_media", counting)
    plan = plan_export(project, ExportOptions(target=Target.FINETRAINERS, out_dir=tmp_path / "o"))
    parts = [i for i in plan.items if i.kind == "video"]
    assert len(parts) >= 3 and all(p.part is not None for p in parts)
    result = run(plan)
    assert result.failed == [] and result.rendered == len(parts)
    assert opened == [str(src)]  # one pass for every part
    for item in parts:
        d = decode(tmp_path / "o" / item.media)
        assert (d.width, d.height, d.pix_fmt, len(d.pts_steps)) == (48, 32, "yuv420p", 1)
        shown = [read_quadrant(f, 0, 0, 48, 32) for f in d.frames]
        assert shown == [("yellow", i) for i in item.frames]


def test_the_record_is_not_saved_after_every_file_when_saving_is_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [write_numbered(tmp_path / f"c{k}.mp4", 8) for k in range(6)]
    project = project_with(tmp_path, files)
    real, saves = Ownership.save, []

    def slow(self: Ownership, state: dict[str, Any]) -> None:
        saves.append(len(state))
        time.sleep(0.2)  # a record of thousands of files
        real(self, state)

    monkeypatch.setattr(Ownership, "save", slow)
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    result = run(plan)
    assert result.rendered == 6
    assert saves[0] == 1  # the first finished file is recorded at once
    assert len(saves) < 6 + 2  # not once per file (plus the two saves at the end)
    assert saves[-1] == 6
    monkeypatch.undo()
    again = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    assert (again.up_to_date, again.to_render) == (6, 0)


def test_export_renders_half_the_cores_at_once_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anicurate.cli import build_parser

    parse = build_parser().parse_args
    base = ["export", "--project", "p.anicurate", "--format", "t2v-json", "--out", "o"]
    assert parse(base).workers == 0 and parse([*base, "--workers", "auto"]).workers == 0
    assert parse([*base, "--workers", "3"]).workers == 3
    monkeypatch.setattr(render_module.os, "cpu_count", lambda: 16)
    assert render_module.auto_workers() == 4
    monkeypatch.setattr(render_module.os, "cpu_count", lambda: 2)
    assert render_module.auto_workers() == 1
    threads: list[int] = []
    pool = render_module._pool_renderer
    monkeypatch.setattr(render_module, "_pool_renderer", lambda n: threads.append(n) or pool(n))
    monkeypatch.setattr(render_module.os, "cpu_count", lambda: 6)
    project = project_with(tmp_path, [write_numbered(tmp_path / "a.mp4", 24)])
    plan = plan_export(project, ExportOptions(target=Target.T2V_JSON, out_dir=tmp_path / "out"))
    assert run(plan, workers=0).results  # it rendered
    assert threads == [3]
