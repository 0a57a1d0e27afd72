"""Starting a server for a script or a test, waiting until it answers, and stopping it.

The benchmark (bench/), the load test, the screenshots and tests/test_serve.py all start a
server process (gunicorn, or `make serve`, which starts gunicorn) on a free loopback port:

    with Server([sys.executable, "-m", "gunicorn", ...], port=port, env=env) as server:
        status, headers, body = server.get("/healthz")

The process gets a session (a process group) of its own, so stopping it stops what it started
too. When it dies before answering, or while in use, the error says so with the end of its log
rather than leaving a caller to time out on a closed port.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_TAIL = 4000  # characters of a dead server's log worth quoting


class ServerFailed(RuntimeError):
    """The server exited, or never answered; the message ends with its log when there is one."""


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(port: int, *, workers: int = 2) -> list[str]:
    """The site (portal.wsgi) under gunicorn on 127.0.0.1:`port`, logging warnings and worse."""
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--log-level", "warning"]
    return [*command, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]


def get(port: int, path: str, headers: dict[str, str] | None = None, *, timeout: float = 20):
    """(status, header pairs as sent, body) of one GET to 127.0.0.1:port, on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class Server:
    """`command`, run until it answers 200 at `ready_path` on 127.0.0.1:`port`; stopped on exit.

    `log`: a file for the process's output (stdout and stderr), quoted when it fails; without
    one the output goes where this process's goes. Entering raises ServerFailed if the process
    exits first or does not answer within `timeout` seconds; leaving raises it if the process
    died on its own while in use (or, when another exception is on its way out, adds the log
    to that one as a note).
    """

    def __init__(
        self,
        command: list[str],
        *,
        port: int,
        env: dict[str, str] | None = None,
        cwd: Path = ROOT,
        log: Path | None = None,
        ready_path: str = "/healthz",
        timeout: float = 30,
        name: str | None = None,
    ) -> None:
        self.command = command
        self.port = port
        self.env = env
        self.cwd = cwd
        self.log = log
        self.ready_path = ready_path
        self.timeout = timeout
        self.name = name or " ".join(command[:3])
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None, *, timeout: float = 20):
        """(status, header pairs, body) of one GET to this server."""
        return get(self.port, path, headers, timeout=timeout)

    def __enter__(self) -> Server:
        if self.log is None:
            self.process = self._start(None)
        else:
            with self.log.open("w") as output:  # the child keeps its own copy of the descriptor
                self.process = self._start(output)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()  # `with` calls __exit__ only once __enter__ has returned
            raise
        return self

    def __exit__(self, kind, error, traceback) -> None:
        died = self.process.poll()
        self.stop()
        if died is None:
            return
        report = self._failure(f"exited ({died}) while in use")
        if error is None:
            raise report
        error.add_note(str(report))  # the failure on its way out keeps its own traceback

    def stop(self, grace: float = 30) -> None:
        """SIGTERM to the process group, SIGKILL after `grace` seconds; a group already gone
        (everything in it exited) is simply stopped."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait()

    def _start(self, output) -> subprocess.Popen:
        return subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=output,
            stderr=None if output is None else subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            if self.process.poll() is not None:
                raise self._failure(f"exited ({self.process.returncode}) before answering")
            try:
                if self.get(self.ready_path, timeout=5)[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass  # not listening yet, or a worker still starting
            if time.monotonic() > deadline:
                raise self._failure(
                    f"did not answer {self.url}{self.ready_path} in {self.timeout:g} s"
                )
            time.sleep(0.2)

    def _signal_group(self, number: int) -> None:
        # No such group: the server and everything it started have exited already.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def _failure(self, what: str) -> ServerFailed:
        message = f"{self.name} {what}"
        if self.log is None:
            return ServerFailed(f"{message}; its output is above")
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        if len(text) > LOG_TAIL:
            text = "...\n" + text[-LOG_TAIL:]
        return ServerFailed(f"{message}; its log ({self.log}):\n{text}")
