"""The VLM job against a real HTTP server on 127.0.0.1 answering like llama.cpp/Ollama's
/v1/chat/completions: success, a 500 then success, a timeout, a garbage body, cancel."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from anicurate.core.captions.describe import DescribeOptions, describe_project
from anicurate.core.captions.sentences import clip_sentence, set_sentence
from anicurate.core.project import Project
from anicurate.core.project.edits import undo
from tests.helpers.export_samples import clip_of, make_project, write_source


class Server:
    """Answers per clip by the script: path name -> list of behaviours, one per request."""

    def __init__(self) -> None:
        self.script: dict[str, list[str]] = {}
        self.requests: list[dict[str, object]] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                text = body["messages"][0]["content"][0]["text"]
                key = text.split("|")[0]
                todo = outer.script.get(key, ["ok"])
                action = todo.pop(0) if len(todo) > 1 else todo[0]
                if action == "hang":
                    outer.release.wait(5)
                if action == "500":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                reply = (b"<html>nope</html>" if action == "garbage" else json.dumps(
                    {"choices": [{"message": {"role": "assistant",
                                              "content": f"  a girl {key} in the rain "}}]}
                ).encode())  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.thread.start()
    yield s
    s.release.set()
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / f"{n}.mp4", 12) for n in ("a", "b", "c")]
    make_project(tmp_path / "p.anicurate", files).close()
    return tmp_path / "p.anicurate"


def options(server: Server, instruction: str, **kw: object) -> DescribeOptions:
    return DescribeOptions(url=server.url, model="test-vlm", instruction=instruction,
                           backoff_s=0.0, **kw)  # type: ignore[arg-type]  # fmt: skip


def run(path: Path, opts: DescribeOptions) -> tuple[object, list[object]]:
    job = describe_project(path, opts)
    seen = []
    try:
        while True:
            seen.append(next(job))
    except StopIteration as stop:
        return stop.value, seen


def test_success_stores_each_clip_sentence(server: Server, project_path: Path) -> None:
    summary, _progress = run(project_path, options(server, "walks", frames=2))
    assert summary.described == 3 and not summary.failed  # type: ignore[attr-defined]
    with Project.open(project_path) as project:
        assert clip_sentence(project, clip_of(project, "a.mp4")) == "a girl walks in the rain"
    content = server.requests[0]["messages"][0]["content"]  # type: ignore[index]
    assert [p["type"] for p in content] == ["text", "image_url", "image_url"]
    assert content[1]["image_url"]["url"].startswith("data:image/jpeg;base64,/9j/")
    assert server.requests[0]["model"] == "test-vlm"


def test_500_then_retry_succeeds(server: Server, project_path: Path) -> None:
    server.script["runs"] = ["500", "ok"]
    summary, _ = run(project_path, options(server, "runs", concurrency=1, retries=1))
    assert summary.described == 3 and not summary.failed  # type: ignore[attr-defined]
    assert len(server.requests) == 4


def test_timeout_and_garbage_fail_per_clip_and_keep_earlier(
    server: Server, project_path: Path
) -> None:
    with Project.open(project_path) as project:
        a = clip_of(project, "a.mp4")
        set_sentence(project, a, "typed by a person")
    server.script["hang"] = ["hang"]
    summary, _progress = run(project_path, options(server, "hang", timeout_s=0.3, retries=0))
    assert summary.described == 0 and len(summary.failed) == 3  # type: ignore[attr-defined]
    assert "no answer within 0.3 s" in summary.failed[0][1]  # type: ignore[attr-defined]
    server.script["junk"] = ["garbage"]
    summary, _ = run(project_path, options(server, "junk"))
    assert "no chat completion" in summary.failed[0][1]  # type: ignore[attr-defined]
    with Project.open(project_path) as project:
        assert clip_sentence(project, a) == "typed by a person"
        set_sentence(project, a, "")
        assert clip_sentence(project, a) == ""
        assert undo(project) == "Clear caption"
        assert clip_sentence(project, a) == "typed by a person"


def test_cancel_keeps_what_finished(server: Server, project_path: Path) -> None:
    job = describe_project(project_path, options(server, "sits", concurrency=1))
    next(job)  # started
    first = next(job)  # one clip done
    job.close()
    with Project.open(project_path) as project:
        said = [clip_sentence(project, c.id) for c in project.clips()]
    assert first.error is None  # type: ignore[attr-defined]
    assert said.count("a girl sits in the rain") == 1 and said.count("") == 2
