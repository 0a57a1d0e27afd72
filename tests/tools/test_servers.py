"""Starting a server, waiting for it, stopping it, and saying why when it dies."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tools.servers import Server, ServerFailed, free_port, get, gunicorn_command


def file_server(folder, port: int) -> list[str]:
    """A server that answers 200 at /healthz: Python's own, serving a folder with that file."""
    (folder / "healthz").write_text("ok\n")
    serve = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    return [*serve, "--directory", str(folder)]


def answers(port: int) -> bool:
    try:
        return get(port, "/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def test_a_server_is_ready_inside_the_block_and_stopped_after_it(tmp_path):
    port = free_port()
    with Server(file_server(tmp_path, port), port=port, log=tmp_path / "log") as server:
        status, _, body = server.get("/healthz")
        assert (status, body) == (200, b"ok\n")
        assert server.url == f"http://127.0.0.1:{port}"
    assert server.process.returncode is not None
    assert not answers(port)


def test_what_the_server_started_is_stopped_with_it(tmp_path):
    port = free_port()
    # The server's child, not the server itself, listens: stopping must reach the group.
    command = ["sh", "-c", " ".join(file_server(tmp_path, port)) + " & wait"]
    with Server(command, port=port, log=tmp_path / "log"):
        assert answers(port)
    assert not answers(port)


def test_a_server_that_exits_before_answering_is_reported_with_its_log(tmp_path):
    command = [sys.executable, "-c", "import sys; print('no database here'); sys.exit(3)"]
    server = Server(command, port=free_port(), log=tmp_path / "log", name="the site")
    with pytest.raises(ServerFailed) as failed, server:
        pytest.fail("the block must not run")
    assert str(failed.value).startswith("the site exited (3) before answering")
    assert "no database here" in str(failed.value)


def test_a_server_that_never_answers_is_reported_and_stopped(tmp_path):
    command = [sys.executable, "-c", "import time; print('waiting', flush=True); time.sleep(60)"]
    server = Server(command, port=free_port(), log=tmp_path / "log", timeout=1)
    never = r"did not answer http://127\.0\.0\.1:\d+/healthz in 1 s"
    with pytest.raises(ServerFailed, match=never), server:
        pytest.fail("the block must not run")
    assert server.process.returncode is not None
    assert "waiting" in server.log.read_text()


def kill_everything(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


def test_a_server_that_died_in_use_is_reported_with_its_log_on_the_way_out(tmp_path):
    """Its process group is gone by then: stopping it must not fail (ProcessLookupError) and
    hide the log, as tests/test_serve.py's cleanup once did."""
    port = free_port()
    server = Server(file_server(tmp_path, port), port=port, log=tmp_path / "log")
    with pytest.raises(ServerFailed) as failed, server:
        server.get("/healthz")
        kill_everything(server)
    assert f"exited ({-signal.SIGKILL}) while in use" in str(failed.value)
    assert '"GET /healthz HTTP/1.1" 200' in str(failed.value)  # from the server's log


def test_a_failure_inside_the_block_keeps_its_traceback_and_gains_the_log(tmp_path):
    port = free_port()
    server = Server(file_server(tmp_path, port), port=port, log=tmp_path / "log")
    with pytest.raises(AssertionError) as failed, server:
        kill_everything(server)
        raise AssertionError("the test's own failure")
    assert str(failed.value) == "the test's own failure"
    assert any("while in use" in note for note in failed.value.__notes__)


def test_stopping_twice_or_after_the_process_is_gone_is_harmless(tmp_path):
    port = free_port()
    server = Server(file_server(tmp_path, port), port=port, log=tmp_path / "log")
    server.stop()  # never started
    with server:
        pass
    server.stop()


def test_without_a_log_the_error_points_at_the_output_above():
    command = [sys.executable, "-c", "raise SystemExit(2)"]
    above = r"exited \(2\) before answering; its output is above"
    with pytest.raises(ServerFailed, match=above), Server(command, port=free_port()):
        pytest.fail("the block must not run")


def test_the_site_is_served_by_gunicorn_on_loopback_with_the_workers_asked_for():
    command = gunicorn_command(8123, workers=3)
    assert command[:4] == [sys.executable, "-m", "gunicorn", "portal.wsgi"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8123"
    assert command[command.index("--workers") + 1] == "3"
