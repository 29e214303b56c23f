"""A real gunicorn serving the app on a test's own database, for tests that need separate
processes and threads answering at once (races), not the in-process test client.

    with GunicornServer(app_config, tmp_path, workers=4, threads=4) as server:
        status, headers, body = server.request("POST", "/events/1/book",
                                               cookie=session_cookie(app, user))

The test's settings (its SQLite file or PostgreSQL schema, CSRF and rate limits off) are
written to a JSON file that the workers' app factory, `app_from_config_file()`, reads.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
CONFIG_ENV = "SKILLSWAP_TEST_SERVER_CONFIG"
HOST = "127.0.0.1"


def app_from_config_file():
    """gunicorn's app factory (`tests.support.servers:app_from_config_file()`): the app with
    the settings in the JSON file named by SKILLSWAP_TEST_SERVER_CONFIG."""
    from app import create_app

    config = json.loads(Path(os.environ[CONFIG_ENV]).read_text())
    config["INSTANCE_DIR"] = Path(config["INSTANCE_DIR"])
    return create_app(config)


# gunicorn reads these names when this module is its config (`-c python:…`); versions that
# don't know a setting ignore it. A control socket is shared by every server of one user.
control_socket_disable = True


def worker_exit(server, worker) -> None:
    """gunicorn hook (this module is also the test servers' config file): a worker that was
    told to stop leaves at once, instead of spending seconds tearing down the interpreter —
    every request it served has already committed and answered."""
    if os.getpid() == worker.pid:  # the master calls it too, for a worker already gone
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def session_cookie(app: Flask, user) -> str:
    """A `Cookie` header value carrying a logged-in session for `user`, signed as the app
    signs its own (what logging in through the form would leave behind), so a test can log
    in hundreds of people without hashing a password for each."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


def read_session(app: Flask, headers: list[tuple[str, str]]) -> dict:
    """The session a response set (its flashed messages, say), or {} when it set none."""
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    serializer = app.session_interface.get_signing_serializer(app)
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(f"{name}="):
            raw = value.split(";", 1)[0].split("=", 1)[1]
            return serializer.loads(raw) if raw else {}
    return {}


class GunicornServer:
    """gunicorn with `workers` processes of `threads` threads each (gthread), on a free
    loopback port, serving `config`. The app is loaded before forking (--preload; the
    factory opens no connection), so every worker is ready as soon as the port answers."""

    def __init__(self, config: dict, workdir: Path, *, workers: int = 4, threads: int = 4,
                 timeout: int = 60):
        self.port = free_port()
        self.workdir = workdir
        self.config_path = workdir / f"server-{self.port}.json"
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.config_path.write_text(json.dumps(config, default=str))
        self.command = [
            str(Path(sys.executable).with_name("gunicorn")), "--preload",
            "--config", "python:tests.support.servers",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--bind", f"{HOST}:{self.port}", "--timeout", str(timeout),
            "--backlog", "2048", "--log-level", "info",
            "tests.support.servers:app_from_config_file()"]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, ready_within: float = 30) -> None:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("GUNICORN_", "WEB_CONCURRENCY"))}
        env[CONFIG_ENV] = str(self.config_path)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 — our own fixed command line
                self.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group: see stop()
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                if self.request("GET", "/login", timeout=5)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {ready_within} s:\n"
                           f"{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM: each worker finishes what it holds (nothing, once the test has its
        answers) and leaves. (Not SIGINT/SIGQUIT: a gthread worker that gets SIGQUIT while
        handing a connection to its thread pool deadlocks in its own signal handler.) Then
        anything of this server still running is killed, so no worker outlives a test."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for pid in self._leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _leftovers(self) -> list[int]:
        """Processes of this server's group (its workers) still alive after the master."""
        bind = f"{HOST}:{self.port}".encode()
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if os.getpgid(int(entry.name)) == self.process.pid and bind in (
                        entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (OSError, ValueError):
                continue
        return found

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def connection(self, timeout: float = 60) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)

    def request(self, method: str, path: str, *, cookie: str | None = None,
                headers: dict | None = None, body: str | bytes | None = None,
                timeout: float = 60) -> tuple[int, list[tuple[str, str]], bytes]:
        """One request on a fresh connection: (status, headers, body)."""
        connection = self.connection(timeout)
        try:
            return send(connection, method, path, cookie=cookie, headers=headers, body=body)
        finally:
            connection.close()


def send(connection: http.client.HTTPConnection, method: str, path: str, *,
         cookie: str | None = None, headers: dict | None = None,
         body: str | bytes | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send one request on an open connection and read the whole answer."""
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = cookie
    if method == "POST":
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        body = body if body is not None else b""
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read()
