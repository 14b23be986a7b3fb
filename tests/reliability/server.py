"""Run the app under gunicorn on loopback, and talk to it like a browser does."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from urllib.parse import urlencode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = 4, env: dict[str, str] | None = None
             ) -> Iterator["Server"]:
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "load-test",
                   **(env or {})}
    if "REDIS_URL" not in (env or {}):
        environment.pop("REDIS_URL", None)  # the database throttle unless asked otherwise
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", "--timeout", "30", "--log-level", "warning",
         "quizapp:create_app()"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server("127.0.0.1", port, process)
    try:
        server.wait_ready(workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


class Server:
    def __init__(self, host: str, port: int, process: subprocess.Popen):
        self.host, self.port, self.process = host, port, process

    def wait_ready(self, workers: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.process.stderr.read().decode())
            try:
                if Client(self).request("GET", "/healthz")[0] == 200 and \
                        len(self.worker_pids()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True, check=False).stdout
        return [int(pid) for pid in out.split()]


class Client:
    """One browser: its own connection and cookies; CSRF token read from the pages."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.server.host, self.server.port,
                                                       timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt or method != "GET":
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        text = data.decode("utf-8", "replace")
        if match := re.search(r'name="csrf-token" content="([^"]+)"', text):
            self.token = match.group(1)
        return response.status, dict(response.headers), data

    def login(self, username: str, password: str) -> int:
        self.request("GET", "/auth/login")
        body = urlencode({"username": username, "password": password, "csrf_token": self.token})
        status, _, _ = self.request("POST", "/auth/login", body.encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        self.request("GET", "/")  # a fresh token for the new session
        return status

    def post_json(self, path: str, payload: dict) -> tuple[int, dict]:
        status, _, data = self.request("POST", path, json.dumps(payload).encode(), {
            "Content-Type": "application/json", "X-CSRFToken": self.token or ""})
        try:
            return status, json.loads(data)
        except ValueError:
            return status, {}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
