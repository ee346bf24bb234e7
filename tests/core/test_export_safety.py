"""Export safety (issue 11, defects 1, 2, 7 and the export side of 8 and 11): an export never
deletes or replaces a file it did not write, refuses folders holding sources or foreign files,
locks its folder against a second export, turns I/O errors into one-line messages and a resumable
state, and refuses out-of-range numbers as usage errors. Each case through the core and the CLI."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

import anicurate.cli
from anicurate.cli.arguments import float_in, int_in
from anicurate.core.export import ExportError, ExportOptions, Target, plan_export, render
from anicurate.core.export.files import STATE_FILE, TMP_DIR, file_digest
from anicurate.core.export.ownership import JOURNAL_FILE, LOCK_FILE, FolderLock, Ownership
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_status
from tests.helpers.export_samples import make_project, run, write_source

SETTINGS: dict[str, object] = {
    "train_width": 48, "train_height": 32, "n_sample_frames": 8, "fps": 24, "frame_step": 1,
    "use_bucketing": False,
}  # fmt: skip


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    write_source(folder / "a.mp4", 24)
    write_source(folder / "b.mp4", 20)
    return folder


def accepted_project(path: Path, files: list[Path]) -> Project:
    project = make_project(path, files, **SETTINGS)
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    return project


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def cli(*args: str | Path) -> int:
    return anicurate.cli.main([str(a) for a in args])


def export_cli(project: Path, out: Path, fmt: str = "t2v-folder", *more: str) -> int:
    return cli("export", "--project", project, "--format", fmt, "--out", out, "-q", *more)


# -- 1. export deletes sources ----------------------------------------------------------------


def test_a_second_project_importing_an_export_cannot_export_over_it(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    out = tmp_path / "out"
    assert export_cli(first.path, out) == 0
    exported = snapshot(out)
    assert {"videos/a_c1.mp4", "videos/a_c1.txt", "videos/b_c2.mp4", "videos/b_c2.txt"} <= set(
        exported
    )
    second = accepted_project(tmp_path / "q.anicurate", [out / "videos"])
    assert len(second.sources()) == 2
    with pytest.raises(ExportError, match="holds 2 sources of this project") as err:
        plan_export(second, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    assert f"e.g. {out / 'anicurate-t2v-folder'}" in str(err.value)
    capsys.readouterr()
    assert export_cli(second.path, out) == 1
    message = capsys.readouterr().err
    assert message.startswith(f"anicurate: {out} holds 2 sources of this project (videos/a_c1.mp4")
    assert "fresh subfolder" in message and message.count("\n") == 1
    assert snapshot(out) == exported  # every source and caption is still there, byte for byte
    # The fresh subfolder the message suggests works.
    assert export_cli(second.path, out / "anicurate-t2v-folder") == 0
    assert {p: b for p, b in snapshot(out).items() if "/" not in p or p.startswith("videos/")} == {
        p: b for p, b in exported.items() if "/" not in p or p.startswith("videos/")
    }


def test_stale_cleanup_deletes_only_unchanged_files_it_wrote(tmp_path: Path, media: Path) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    out = tmp_path / "out"
    opts = ExportOptions(target=Target.T2V_FOLDER, out_dir=out)
    run(plan_export(project, opts))
    (out / "videos" / "b_c2.txt").write_text("my own caption")  # edited by the user
    set_status(project, [c.id for c in project.clips()], ClipStatus.REJECTED)
    result = run(plan_export(project, opts))
    # The unchanged files of the rejected clips are gone; the edited caption stays, reported.
    assert sorted(p.name for p in (out / "videos").iterdir()) == ["b_c2.txt"]
    assert (out / "videos" / "b_c2.txt").read_text() == "my own caption"
    assert result.kept == ["videos/b_c2.txt"]
    assert "left as they are, changed since the last export: videos/b_c2.txt" in (
        result.summary_lines()
    )
    # It stays in the record: never foreign, so the next export still runs (and keeps it).
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    again = run(plan_export(project, opts))
    assert again.failed == [] and again.kept == ["videos/b_c2.txt"]
    assert (out / "videos" / "b_c2.txt").read_text() == "my own caption"
    assert (out / "videos" / "a_c1.txt").read_text() == ""


# -- 2. export overwrites files it does not own -----------------------------------------------


def test_the_sources_folder_with_a_user_config_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "clips"
    (folder / "videos").mkdir(parents=True)
    write_source(folder / "videos" / "a_c1.mp4", 20)  # named like the export's own file
    write_source(folder / "videos" / "a.mp4", 24)
    (folder / "config.yaml").write_text("my: config\n")
    project = accepted_project(
        tmp_path / "p.anicurate", [folder / "videos" / "a.mp4", folder / "videos" / "a_c1.mp4"]
    )
    rejected = next(c.id for c, s in project.clips_with_sources() if s.path.endswith("a_c1.mp4"))
    set_status(project, [rejected], ClipStatus.REJECTED)
    before = snapshot(folder)
    with pytest.raises(ExportError, match="holds 2 sources of this project"):
        plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=folder))
    assert export_cli(project.path, folder) == 1
    assert "holds 2 sources of this project" in capsys.readouterr().err
    assert snapshot(folder) == before


def test_foreign_files_in_the_out_folder_refuse_the_export(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    (out / "videos").mkdir(parents=True)
    (out / "videos" / "v0000_c1.mp4").write_bytes(b"someone else's clip")
    (out / "config.yaml").write_text("their: config\n")
    before = snapshot(out)
    with pytest.raises(ExportError) as err:
        plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    assert str(err.value) == (
        f"{out} holds 2 files that anicurate did not write (config.yaml, videos/v0000_c1.mp4): "
        "an export never overwrites or deletes them; export into a fresh subfolder instead, "
        f"e.g. {out / 'anicurate-t2v-folder'}"
    )
    assert export_cli(project.path, out) == 1
    assert capsys.readouterr().err == f"anicurate: {err.value}\n"
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["config.yaml", "videos"]  # no lock, no state


def test_desktop_litter_and_empty_folders_are_tolerated(tmp_path: Path, media: Path) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    (out / "videos" / "empty").mkdir(parents=True)
    (out / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (out / "videos" / "._a_c1.mp4").write_bytes(b"apple double")
    result = run(plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    assert result.failed == [] and result.rendered == 1
    assert (out / ".DS_Store").read_bytes() == b"\0\0\0\1Bud1"
    assert (out / "videos" / "._a_c1.mp4").read_bytes() == b"apple double"


def test_clips_dropped_into_a_diffusion_pipe_folder_are_never_trained_on_silently(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "dp"
    assert export_cli(project.path, out, "diffusion-pipe") == 0
    (out / "clips" / "cache").mkdir()  # the trainer's latent cache is tolerated
    (out / "clips" / "cache" / "latents.safetensors").write_bytes(b"cache")
    (out / "clips" / "stray.mp4").write_bytes(b"a clip the user left here")
    before = snapshot(out)
    capsys.readouterr()
    assert export_cli(project.path, out, "diffusion-pipe") == 1
    assert "did not write (clips/stray.mp4)" in capsys.readouterr().err
    assert snapshot(out) == before
    (out / "clips" / "stray.mp4").unlink()
    assert export_cli(project.path, out, "diffusion-pipe") == 0


def test_an_edited_config_or_clip_is_kept_and_reported(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    assert export_cli(project.path, out) == 0
    (out / "config.yaml").write_text("edited: by hand\n")
    (out / "videos" / "a_c1.mp4").write_bytes(b"replaced by the user")
    capsys.readouterr()
    assert export_cli(project.path, out, "t2v-folder", "--fps", "12") == 1  # the clip: failed
    captured = capsys.readouterr()
    assert (out / "config.yaml").read_text() == "edited: by hand\n"
    assert (out / "videos" / "a_c1.mp4").read_bytes() == b"replaced by the user"
    assert "left as they are, changed since the last export: config.yaml" in captured.out
    assert f"{out / 'videos' / 'a_c1.mp4'} changed after the last export" in captured.err
    assert "left as is; move it away to export it again" in captured.err


def test_another_projects_export_is_refused(tmp_path: Path, media: Path) -> None:
    first = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    other = accepted_project(tmp_path / "q.anicurate", [media / "b.mp4"])
    out = tmp_path / "out"
    run(plan_export(first, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    before = snapshot(out)
    with pytest.raises(ExportError, match=f"holds an export of another project \\({first.path}"):
        plan_export(other, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    assert snapshot(out) == before


def test_a_killed_rename_leaves_a_journaled_file_that_stays_the_exports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    owner = Ownership.load(out)
    (out / "videos").mkdir()
    (out / "videos" / "a_c1.mp4").write_bytes(b"rendered bytes")
    owner.intend("videos/a_c1.mp4", file_digest(out / "videos" / "a_c1.mp4"))
    # killed here: the record was never saved, but the journal names the file's bytes
    again = Ownership.load(out)
    assert again.foreign() == []
    assert again.admit("videos/a_c1.mp4", out / "videos" / "a_c1.mp4")
    (out / "videos" / "a_c1.mp4").write_bytes(b"changed by someone")
    assert not Ownership.load(out).admit("videos/a_c1.mp4", out / "videos" / "a_c1.mp4")


def test_a_version_1_record_is_adopted(tmp_path: Path, media: Path) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    opts = ExportOptions(target=Target.T2V_JSON, out_dir=out)
    run(plan_export(project, opts))
    state = json.loads((out / STATE_FILE).read_text())
    (out / STATE_FILE).write_text(json.dumps({"version": 1, "files": state["files"]}))
    result = run(plan_export(project, opts))
    assert result.failed == [] and result.unchanged == 1 and result.kept == []
    assert sorted(json.loads((out / STATE_FILE).read_text())["owned"]) == [
        "config.yaml", "manifest.json", "train.json", "videos/a_c1.mp4", "videos/a_c1.txt",
    ]  # fmt: skip


# -- 7. two exports into one folder -------------------------------------------------------------


def test_a_second_export_into_a_busy_folder_is_refused_and_the_first_completes(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    out = tmp_path / "out"
    opts = ExportOptions(target=Target.T2V_JSON, out_dir=out)
    first = render(plan_export(project, opts))
    assert next(first).done == 1  # one clip done, the folder locked
    (out / TMP_DIR).mkdir(exist_ok=True)
    (out / TMP_DIR / "in-flight.mp4").write_bytes(b"the first export's temporary file")
    second = render(plan_export(project, opts))
    with pytest.raises(ExportError) as err:
        next(second)
    assert str(err.value) == (
        f"another export is writing into {out} (process {os.getpid()}): wait for it to end, "
        "or export into another folder"
    )
    assert (out / TMP_DIR / "in-flight.mp4").exists()  # the second did not clear it
    assert export_cli(project.path, out, "t2v-json") == 1
    assert "another export is writing into" in capsys.readouterr().err
    rest = list(first)
    assert [p.done for p in rest] == [2]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [f["relative_path"] for f in manifest["files"]] == ["videos/a_c1.mp4", "videos/b_c2.mp4"]
    assert not (out / TMP_DIR).exists()
    # The lock went with the first export: the next one runs.
    assert run(plan_export(project, opts)).unchanged == 2


def test_the_lock_is_released_when_an_export_is_closed(tmp_path: Path, media: Path) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    out = tmp_path / "out"
    job = render(plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    next(job)
    job.close()
    with FolderLock(out):
        assert (out / LOCK_FILE).read_text() == f"{os.getpid()}\n"


# -- 8. I/O errors ----------------------------------------------------------------------------


def test_a_full_disk_is_one_line_and_a_rerun_resumes(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    out = tmp_path / "out"
    real = os.replace
    full_names = ["b_c2.mp4"]

    def full(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith(tuple(full_names)):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", full)
    opts = ExportOptions(target=Target.T2V_FOLDER, out_dir=out)
    result = run(plan_export(project, opts))  # a clip that does not fit: named, the rest done
    assert result.failed == [
        (f"{media / 'b.mp4'} [0-19]", f"No space left on device (ENOSPC): {out}/videos/b_c2.mp4")
    ]
    assert export_cli(project.path, out) == 1
    assert capsys.readouterr().err == (
        f"anicurate: {media / 'b.mp4'} [0-19]: No space left on device (ENOSPC): "
        f"{out}/videos/b_c2.mp4\n"
    )
    full_names.append("config.yaml")  # the disk is full when the config is written
    (out / "config.yaml").unlink()
    with pytest.raises(ExportError) as err:
        run(plan_export(project, opts))
    assert str(err.value) == (
        f"export into {out} stopped: No space left on device (ENOSPC): {out / 'config.yaml'}; "
        "finished files are kept and exporting again resumes"
    )
    assert export_cli(project.path, out) == 1
    assert capsys.readouterr().err == f"anicurate: {err.value}\n"
    assert (out / "videos" / "a_c1.mp4").is_file() and not (out / "videos" / "b_c2.mp4").exists()
    monkeypatch.undo()
    result = run(plan_export(project, opts))
    assert result.failed == [] and (result.rendered, result.unchanged) == (1, 1)
    assert (out / "config.yaml").is_file() and not (out / JOURNAL_FILE).exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")],
)
def test_an_unwritable_out_folder_is_one_line(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], code: int, words: str,
) -> None:  # fmt: skip
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    real = Path.mkdir

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        if self == out.resolve():
            raise (PermissionError if code == errno.EACCES else OSError)(code, words, str(self))
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refused)
    assert export_cli(project.path, out) == 1
    name = errno.errorcode[code]
    assert capsys.readouterr().err == (
        f"anicurate: export into {out} stopped: {words} ({name}): {out}; finished files are "
        "kept and exporting again resumes\n"
    )


def test_an_out_folder_below_a_file_is_one_line(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    (tmp_path / "file").write_text("x")
    assert export_cli(project.path, tmp_path / "file" / "out") == 1
    err = capsys.readouterr().err
    assert err.startswith("anicurate: export into ") and "(ENOTDIR)" in err
    assert err.count("\n") == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_out_folder_for_real(tmp_path: Path, media: Path) -> None:
    project = accepted_project(tmp_path / "p.anicurate", [media / "a.mp4"])
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(ExportError, match=r"Permission denied \(EACCES\)"):
            run(plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    finally:
        out.chmod(0o755)


# -- 11. arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--width", "0"], "argument --width: must be from 16 to 8192, not 0"),
        (["--height", "9000"], "argument --height: must be from 16 to 8192, not 9000"),
        (["--width", "49"], "argument --width: must be even (H.264 yuv420p), not 49"),
        (["--fps", "0"], "argument --fps: must be from 1 to 240, not 0"),
        (["--fps", "100000"], "argument --fps: must be from 1 to 240, not 100000"),
        (["--fps", "x"], "argument --fps: must be a whole number from 1 to 240, not 'x'"),
        (["--frames", "0"], "argument --frames: must be from 1 to 1024, not 0"),
        (["--frame-step", "-1"], "argument --frame-step: must be from 1 to 1000, not -1"),
        (["--workers", "0"],
         "argument --workers: must be auto or a whole number from 1 to 64, not '0'"),
    ],
)
def test_numeric_export_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        export_cli(tmp_path / "missing.anicurate", out, "t2v-folder", *args)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"anicurate export: error: {message}"
    assert not out.exists()


def test_find_top_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli("find", "--dataset", tmp_path, "--top", "0", "1girl")
    assert exit_.value.code == 2
    assert "argument --top: must be from 1 to 100000, not 0" in capsys.readouterr().err


def test_the_validators() -> None:
    import argparse

    assert int_in(1, 3)(" 2 ") == 2
    assert float_in(0, 1)("0.5") == 0.5 and float_in(0, 1)("1") == 1.0
    with pytest.raises(argparse.ArgumentTypeError, match="must be from 1 to 3, not 4"):
        int_in(1, 3)("4")
    with pytest.raises(argparse.ArgumentTypeError, match="whole number"):
        int_in(1, 3)("1.5")
    for bad in ("nan", "inf", "-inf"):
        with pytest.raises(argparse.ArgumentTypeError, match="must be a finite number"):
            float_in(0, 1)(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="must be from 0 to 1, not 5"):
        float_in(0, 1)("5")
    assert float_in(0, float("inf"), finite=False)("inf") == float("inf")
    with pytest.raises(argparse.ArgumentTypeError, match="finite"):
        float_in(0, float("inf"), finite=False)("nan")
