"""Analysis, tagging and export on a real local Ray cluster (a head and a second node, both on
127.0.0.1) give what a local run gives; a worker killed mid-task is retried and changes nothing;
the CLI's --ray works and says what to install when Ray is missing. The cluster is always
stopped, even when a test fails."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'anicurate[ray]')")

from anicurate.cli import main  # noqa: E402
from anicurate.core import distributed  # noqa: E402
from anicurate.core.analysis import analyze_project, load_results, load_signals  # noqa: E402
from anicurate.core.export import ExportOptions, Include, Target, plan_export, render  # noqa: E402
from anicurate.core.export.files import file_digest  # noqa: E402
from anicurate.core.media.writer import write_video  # noqa: E402
from anicurate.core.project import Project, import_paths  # noqa: E402
from anicurate.core.tagging import store  # noqa: E402
from anicurate.core.tagging.model import CPU, load_tagger  # noqa: E402
from anicurate.core.tagging.run import tag_project  # noqa: E402
from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline  # noqa: E402
from tests.helpers.tagger_samples import make_tiny_tagger, solid, split  # noqa: E402

RAY = str(Path(sys.executable).with_name("ray"))


def drive(job: Generator[Any, None, Any]) -> tuple[list[Any], Any]:
    steps = []
    try:
        while True:
            steps.append(next(job))
    except StopIteration as stop:
        return steps, stop.value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class Cluster:
    address: str
    pid_file: Path

    def task_pids(self) -> list[int]:
        if not self.pid_file.exists():
            return []
        return [int(x) for x in self.pid_file.read_text().split()]


def _stop(env: dict[str, str]) -> None:
    subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """A head (2 CPUs) and a second node (1 CPU) as separate raylets on this machine."""
    temp = Path(tempfile.mkdtemp(prefix="ray"))  # short: Ray's socket paths must stay short
    pid_file = temp / "task-pids"
    env = {**os.environ, "ANICURATE_RAY_PID_FILE": str(pid_file), "RAY_USAGE_STATS_ENABLED": "0"}
    port = _free_port()
    address = f"127.0.0.1:{port}"

    def teardown() -> None:
        if ray.is_initialized():
            ray.shutdown()
        _stop(env)
        shutil.rmtree(temp, ignore_errors=True)

    request.addfinalizer(teardown)  # runs even when starting the cluster fails half-way
    common = ["--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
    subprocess.run(
        [RAY, "start", "--head", "--port", str(port), "--num-cpus", "2",
         "--include-dashboard", "false", "--temp-dir", str(temp), *common],
        env=env, check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    subprocess.run(
        [RAY, "start", "--address", address, "--num-cpus", "1", *common],
        env=env, check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    distributed.connect(address)
    deadline = time.monotonic() + 60
    while len([n for n in ray.nodes() if n["Alive"]]) < 2:
        assert time.monotonic() < deadline, "the second node never joined"
        time.sleep(0.2)
    yield Cluster(address, pid_file)


# ---------------------------------------------------------------- analysis


@pytest.fixture(scope="module")
def analysis_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    media = tmp_path_factory.mktemp("amedia")
    Timeline().shot(24, DAY, Layout()).shot(24, NIGHT, Layout(figure_x=0.6)).write(
        media / "cut.mp4"
    )
    Timeline().shot(30, DAY, Layout(pan_speed=100, walk_speed=60), hold=1).write(media / "fast.mp4")
    Timeline().shot(36, NIGHT, Layout(), hold=3).write(media / "threes.mp4")
    # long enough (a second or more to analyse) to be killed mid-task
    Timeline().shot(150, DAY, Layout()).shot(150, NIGHT, Layout(figure_x=0.3)).write(
        media / "long.mp4"
    )
    return media


def _new_project(folder: Path, media: Path) -> Path:
    """A project of copies of ``media`` (so a test may remove one after the import)."""
    shutil.copytree(media, folder / "media")
    path = folder / "p.anicurate"
    drive(import_paths(path, [folder / "media"]))
    return path


def _tagger_and_two_projects(tmp_path: Path, media: Path) -> tuple[Path, Path, Path]:
    """A tiny tagger and two projects of the same media: one tagged here, one on the cluster."""
    folder = make_tiny_tagger(tmp_path / "tagger", side=64, dynamic_batch=True)
    projects = []
    for name in ("local", "remote"):
        (tmp_path / name).mkdir()
        projects.append(_new_project(tmp_path / name, media))
    return folder, projects[0], projects[1]


def _plain(value: Any) -> Any:
    """Dataclasses and arrays as dicts and lists, for exact comparison."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _same_analysis(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Events, metrics and flags exactly; the raw signals to float32 rounding (a local run
    differs from itself there by ~1e-11: OpenCV's threaded reductions)."""
    assert a.keys() == b.keys()
    for key in a:
        if key.startswith("signals "):
            assert np.array_equal(a[key].hashes, b[key].hashes), key
            assert np.allclose(a[key].values, b[key].values, rtol=1e-6, atol=1e-9,
                               equal_nan=True), key  # fmt: skip
        else:
            assert a[key] == b[key], key


def _analysis_of(path: Path) -> dict[str, Any]:
    """Per source file: its events and signals as stored, and its clips' metrics and flags."""
    with Project.open(path) as p:
        out: dict[str, Any] = {}
        names = {c.id: Path(s.path).name for c, s in p.clips_with_sources()}
        for s in p.sources():
            stored = load_signals(p, s.id)
            if stored is not None:
                sig, events = stored
                out[Path(s.path).name] = _plain(events)
                out[f"signals {Path(s.path).name}"] = sig
        for cid, r in load_results(p).items():
            out[f"clip {names[cid]}"] = (_plain(r.metrics), [f.to_json() for f in r.flags])
        return out


@pytest.fixture(scope="module")
def local_analysis(
    tmp_path_factory: pytest.TempPathFactory, analysis_media: Path
) -> dict[str, Any]:
    path = _new_project(tmp_path_factory.mktemp("alocal"), analysis_media)
    _, summary = drive(analyze_project(path))
    assert summary.analysed == 4 and summary.failed == []
    return _analysis_of(path)


def test_analysis_on_the_cluster_equals_a_local_run(
    cluster: Cluster, tmp_path: Path, analysis_media: Path, local_analysis: dict[str, Any]
) -> None:
    path = _new_project(tmp_path, analysis_media)
    steps, summary = drive(analyze_project(path, runner=distributed.analysis_runner("auto")))
    assert [s.done for s in steps] == [0, 1, 2, 3, 4]
    assert summary.analysed == 4 and summary.failed == []
    _same_analysis(_analysis_of(path), local_analysis)
    assert {"cut.mp4", "clip long.mp4"} <= set(local_analysis)
    # a rerun does only what is missing: nothing
    steps, again = drive(analyze_project(path, runner=distributed.analysis_runner("auto")))
    assert again.analysed == 0 and again.failed == [] and len(steps) == 1


def test_a_source_the_workers_cannot_read_fails_alone_naming_the_host(
    cluster: Cluster, tmp_path: Path, analysis_media: Path
) -> None:
    path = _new_project(tmp_path, analysis_media)
    gone = tmp_path / "media" / "cut.mp4"
    gone.unlink()  # as if the shared mount lacked it
    steps, summary = drive(analyze_project(path, runner=distributed.analysis_runner("auto")))
    assert summary.analysed == 3
    hosts = {n["NodeManagerHostname"] for n in ray.nodes()}
    assert len(summary.failed) == 1 and summary.failed[0][0] == str(gone)
    message = summary.failed[0][1]
    assert message.endswith(f"cannot read {gone}: shared mount?")
    assert any(message == f"worker on host {h} cannot read {gone}: shared mount?" for h in hosts)
    assert [s.error for s in steps if s.error] == [message]


def test_a_worker_killed_mid_task_is_retried_and_changes_nothing(
    cluster: Cluster, tmp_path: Path, analysis_media: Path, local_analysis: dict[str, Any]
) -> None:
    path = _new_project(tmp_path, analysis_media)
    cluster.pid_file.unlink(missing_ok=True)
    killed: list[int] = []

    def kill_first() -> None:
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            pids = cluster.task_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.005)

    killer = threading.Thread(target=kill_first)
    killer.start()
    try:
        _, summary = drive(analyze_project(path, runner=distributed.analysis_runner("auto")))
    finally:
        killer.join()
    assert killed
    # four sources, and the killed one started again on a new worker
    started = cluster.task_pids()
    assert len(started) == 5 and killed[0] in started
    assert summary.analysed == 4 and summary.failed == []
    _same_analysis(_analysis_of(path), local_analysis)


def test_cancel_stops_the_cluster_tasks_and_keeps_what_is_stored(
    cluster: Cluster, tmp_path: Path, analysis_media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Store (and report) each result as it arrives, as a long run does once its batch period
    # has passed: these few short files would otherwise all finish inside the first period.
    monkeypatch.setattr("anicurate.core.analysis.run.SAVE_EVERY_S", 0.0)
    path = _new_project(tmp_path, analysis_media)
    job = analyze_project(path, runner=distributed.analysis_runner("auto"))
    next(job)
    first = next(job)
    job.close()  # the three sources still running or queued are cancelled
    with Project.open(path) as p:
        stored = [Path(s.path).name for s in p.sources() if load_signals(p, s.id) is not None]
    assert first.error is None and stored == [Path(first.item).name]
    steps, rest = drive(analyze_project(path, runner=distributed.analysis_runner("auto")))
    assert rest.analysed == 3 and first.item not in [s.item for s in steps]


def test_a_source_no_worker_can_read_is_named_with_its_host(tmp_path: Path) -> None:
    # the worker side, run here: a missing file, then the same file sent as bytes
    media = tmp_path / "m"
    media.mkdir()
    Timeline().shot(12, DAY, Layout()).write(media / "a.mp4")
    gone = str(tmp_path / "elsewhere" / "a.mp4")
    answer = distributed.analyse_task(gone, None, None)
    assert answer == distributed.Unreadable(socket.gethostname(), gone)
    assert answer.message() == (
        f"worker on host {socket.gethostname()} cannot read {gone}: shared mount?"
    )
    sent = distributed.analyse_task(gone, (media / "a.mp4").read_bytes(), None)
    assert isinstance(sent, distributed.FileResult) and sent.path == gone
    assert sent.analysis is not None and sent.analysis.info.frame_count == 12


# ---------------------------------------------------------------- tagging


@pytest.fixture(scope="module")
def tag_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tmedia")
    write_video(folder / "a_red.mp4", [solid("red")] * 6, 24)
    write_video(folder / "b_green.mp4", [solid("green")] * 6, 24)
    write_video(folder / "c_mixed.mp4", [solid("red")] * 2 + [solid("blue")] * 6, 24)
    write_video(folder / "d_split.mp4", [split()] * 4, 24)
    return folder


def _tags(path: Path) -> dict[str, list[tuple[str, float | None, str]]]:
    """Per file: (tag, score, the provider its clip's tagging record names)."""
    with Project.open(path) as p:
        out = {}
        for c, s in p.clips_with_sources():
            record = store.tagging_record(p, c.id)
            provider = record.provider if record is not None else ""
            out[Path(s.path).name] = [(t.tag, t.score, provider) for t in store.clip_tags(p, c.id)]
        return out


def test_tagging_on_the_cluster_equals_a_local_run(
    cluster: Cluster, tmp_path: Path, tag_media: Path
) -> None:
    folder, local, remote = _tagger_and_two_projects(tmp_path, tag_media)
    _, here = drive(tag_project(local, load_tagger(folder, "cpu")))
    runner = distributed.TaggingRunner("auto", folder, "cpu", actors=2)
    steps, there = drive(tag_project(remote, load_tagger(folder, "cpu"), runner=runner))
    assert (there.tagged, there.unchanged) == (here.tagged, here.unchanged) == (4, 0)
    assert there.failed == here.failed == []
    assert [s.done for s in steps] == [1, 2, 3, 4]
    # every actor reports the provider it really loaded, and that is what each clip records
    assert len(runner.workers) == 2
    assert {w.provider for w in runner.workers} == {CPU}
    assert len({w.pid for w in runner.workers}) == 2 and os.getpid() not in {
        w.pid for w in runner.workers
    }
    a, b = _tags(local), _tags(remote)
    assert a.keys() == b.keys()
    for name in a:
        assert [(t, p) for t, _, p in a[name]] == [(t, p) for t, _, p in b[name]], name
        for (_, s1, _), (_, s2, _) in zip(a[name], b[name], strict=True):
            assert (s1 is None and s2 is None) or abs(s1 - s2) <= 1e-4  # type: ignore[operator]
    assert b["a_red.mp4"][0][0] == "red background"
    # only what is missing runs again
    _, again = drive(tag_project(remote, load_tagger(folder, "cpu"), runner=runner))
    assert (again.tagged, again.unchanged, len(again.failed)) == (0, 4, 0)


def test_a_tagging_actor_killed_mid_run_is_restarted_and_changes_nothing(
    cluster: Cluster, tmp_path: Path, tag_media: Path
) -> None:
    folder, local, remote = _tagger_and_two_projects(tmp_path, tag_media)
    drive(tag_project(local, load_tagger(folder, "cpu")))
    cluster.pid_file.unlink(missing_ok=True)
    runner = distributed.TaggingRunner("auto", folder, "cpu", actors=1)
    job = tag_project(remote, load_tagger(folder, "cpu"), runner=runner)
    first = next(job)  # one clip scored; the actor holds the next call already
    os.kill(runner.workers[0].pid, signal.SIGKILL)
    steps, summary = drive(job)
    assert first.error is None and [s.error for s in steps] == [None] * 3
    assert summary.tagged == 4 and summary.failed == []
    a, b = _tags(local), _tags(remote)
    assert {k: [t for t, _, _ in v] for k, v in a.items()} == {
        k: [t for t, _, _ in v] for k, v in b.items()
    }
    # a new actor process scored what the killed one had not returned
    assert any(pid != runner.workers[0].pid for pid in cluster.task_pids())


def test_a_tagger_the_workers_cannot_load_is_one_clear_error(
    cluster: Cluster, tmp_path: Path, tag_media: Path
) -> None:
    folder = make_tiny_tagger(tmp_path / "tagger", side=64, dynamic_batch=True)
    path = _new_project(tmp_path, tag_media)
    runner = distributed.TaggingRunner("auto", tmp_path / "not on the mount", "cpu", actors=1)
    with pytest.raises(distributed.ClusterError, match="the tagger did not start on the cluster"):
        drive(tag_project(path, load_tagger(folder, "cpu"), runner=runner))
    with Project.open(path) as p:
        assert all(store.tagging_record(p, c.id) is None for c in p.clips())


# ---------------------------------------------------------------- export


def test_export_on_the_cluster_writes_the_same_files(
    cluster: Cluster, tmp_path: Path, tag_media: Path
) -> None:
    path = _new_project(tmp_path, tag_media)
    opts: dict[str, Any] = dict(
        target=Target.T2V_FOLDER, include=Include("all"), width=64, height=64, fps=24,
        n_sample_frames=4, fallback_prompt="anime",
    )  # fmt: skip
    local_plan = plan_export(path, ExportOptions(out_dir=tmp_path / "here", **opts))
    _, here = drive(render(local_plan))
    plan = plan_export(path, ExportOptions(out_dir=tmp_path / "there", **opts))
    steps, there = drive(render(plan, renderer=distributed.export_renderer("auto")))
    assert steps[-1].done == len(plan.items) == 4
    assert there.rendered == here.rendered == 4 and there.failed == here.failed
    files = sorted(p.relative_to(tmp_path / "here").as_posix()
                   for p in (tmp_path / "here").rglob("*") if p.is_file())  # fmt: skip
    assert files == sorted(p.relative_to(tmp_path / "there").as_posix()
                           for p in (tmp_path / "there").rglob("*") if p.is_file())  # fmt: skip
    assert not (tmp_path / "there" / ".anicurate-tmp").exists()
    for r in there.done:
        assert file_digest(r.path) == r.hash
    # unchanged clips are not rendered again
    _, rerun = drive(render(plan_export(path, ExportOptions(out_dir=tmp_path / "there", **opts)),
                            renderer=distributed.export_renderer("auto")))  # fmt: skip
    assert rerun.rendered == 0 and rerun.unchanged == 4


# ---------------------------------------------------------------- the CLI


def test_cli_analyze_and_tag_with_ray(
    cluster: Cluster, tmp_path: Path, tag_media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _new_project(tmp_path, tag_media)
    folder = make_tiny_tagger(tmp_path / "tagger", side=64, dynamic_batch=True)
    assert main(["analyze", "--project", str(path), "--ray", "auto", "-q"]) == 0
    out = capsys.readouterr()
    assert "4 analysed, 0 failed, 4 clips" in out.out
    assert main(["tag", "--project", str(path), "--model", str(folder), "--ray", "auto",
                 "--provider", "cpu", "-q"]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "4 tagged, 0 unchanged, 0 failed" in out.out
    assert "cluster worker" in out.out and "CPU" in out.out


def test_an_address_nobody_answers_on_fails_fast(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()  # closed again: nothing listens there
    with pytest.raises(
        distributed.ClusterError, match=f"cannot reach the Ray cluster at 127.0.0.1:{port}"
    ):
        distributed._reachable(f"127.0.0.1:{port}")


def test_ray_missing_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(distributed.ClusterError, match=r"anicurate\[ray\]"):
        distributed.analysis_runner("auto")
    Project.open(tmp_path / "p.anicurate", create=True).close()  # a missing project exits 2 too
    assert main(["analyze", "--project", str(tmp_path / "p.anicurate"), "--ray", "auto"]) == 2
    assert "pip install 'anicurate[ray]'" in capsys.readouterr().err
