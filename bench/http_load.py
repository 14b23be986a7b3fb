"""HTTP under load: gunicorn (sync workers) on loopback, driven by threads.

Each client is one browser: its own connection (gunicorn's sync workers close it after
every response, so each request also connects), cookies and CSRF token. Review clients
log in as distinct learners and post grades to the JSON endpoint, taking the next card
from each reply, as review.js does. The ceiling is GET /healthz of the same app at the
same concurrency: what the stack (gunicorn, Flask, loopback, this load generator) allows.
The load generator runs on the same cores as the server.
"""

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

from bench.memory import WorkerMemory, children
from bench.timing import summary

RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (0.10, 0.10, 0.75, 0.05)
CARD_RE = re.compile(r'data-card-id="(\d+)" data-submission-id="([^"]+)"')
TOKEN_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen


@contextmanager
def gunicorn(database_url: str, secret_key: str, workers: int,
             env: dict[str, str] | None = None) -> Iterator[Server]:
    port = _free_port()
    env = {**(env or os.environ), "DATABASE_URL": database_url, "SECRET_KEY": secret_key}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
         "quizapp:create_app()"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + process.stderr.read().decode())
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start within 60 s")
            try:
                if Client(port).get("/healthz")[0] == 200 and \
                        len(children(process.pid)) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield Server(port, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


class Client:
    """One browser: a connection, cookies, the CSRF token and the card it is looking at."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.card: tuple[int, str] | None = None
        self.conn: http.client.HTTPConnection | None = None
        self.location: str | None = None  # the last response's Location header

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            self.location = response.headers.get("Location")
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def _read_page(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        if match := TOKEN_RE.search(text):
            self.token = match.group(1)
        if match := CARD_RE.search(text):
            self.card = (int(match.group(1)), match.group(2))

    def login(self, username: str, password: str) -> None:
        self._read_page(self.get("/auth/login")[1])
        status, _ = self.request(
            "POST", "/auth/login",
            urlencode({"username": username, "password": password,
                       "csrf_token": self.token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}")
        status, page = self.get("/study/")
        self._read_page(page)
        if status != 200 or self.card is None:
            raise RuntimeError(f"{username} has no card to study (status {status})")

    def review(self, rating: int) -> int:
        """Grade the current card; the reply carries the next one."""
        assert self.card is not None
        card_id, submission_id = self.card
        status, data = self.request(
            "POST", "/study/review",
            json.dumps({"card_id": card_id, "rating": rating, "submission_id": submission_id,
                        "duration_ms": 4000}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.token})
        if status == 200:
            card = json.loads(data).get("card")
            self.card = (card["card_id"], card["submission_id"]) if card else None
        return status

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)
    errors: int = 0
    exhausted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _drive(clients: list[Client], kind: str, seconds: float, seed: int) -> dict[str, Any]:
    run = Run()
    start = threading.Barrier(len(clients) + 1)
    t0 = 0.0

    def work(n: int, client: Client) -> None:
        rng = random.Random(seed * 1000 + n)
        start.wait()
        deadline = t0 + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status = client.review(rng.choices(RATINGS, RATING_WEIGHTS)[0]) \
                    if kind == "review" else client.get("/healthz")[0]
            except (OSError, http.client.HTTPException):
                status = 0
            ended = time.perf_counter()
            with run.lock:
                if status == 200:
                    run.latencies_ms.append((ended - began) * 1000)
                    run.finished_at.append(ended)
                else:
                    run.errors += 1
            if kind == "review" and client.card is None:
                with run.lock:
                    run.exhausted += 1
                return

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    elapsed = (max(run.finished_at) if run.finished_at else time.perf_counter()) - t0
    per_second = [0] * max(1, int(seconds))
    for at in run.finished_at:
        per_second[min(len(per_second) - 1, int(at - t0))] += 1
    result = summary(run.latencies_ms or [0.0], errors=run.errors, exhausted=run.exhausted)
    result.update(requests=len(run.latencies_ms), seconds=round(elapsed, 2),
                  rps=round(len(run.latencies_ms) / elapsed, 1) if elapsed > 0 else 0.0,
                  rps_per_second_median=sorted(per_second)[len(per_second) // 2])
    return result


def _login_all(port: int, usernames: list[str], password: str) -> list[Client]:
    clients = [Client(port) for _ in usernames]
    errors: list[BaseException] = []

    def login(batch: list[int]) -> None:
        for i in batch:
            try:
                clients[i].login(usernames[i], password)
            except (OSError, http.client.HTTPException, RuntimeError) as e:
                errors.append(e)
            finally:
                clients[i].close()

    threads = [threading.Thread(target=login, args=(list(range(k, len(usernames), 8)),))
               for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} logins failed, first: {errors[0]}")
    return clients


def run(database_url: str, secret_key: str, usernames: list[str], password: str,
        workers_levels: tuple[int, ...], client_levels: tuple[int, ...], seconds: float,
        seed: int) -> dict[str, Any]:
    """For each worker count: log every client in, then at each concurrency the ceiling
    endpoint and the review endpoint, one after the other, with worker memory sampled."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # 64 client threads: hand the GIL over promptly
    out: dict[str, Any] = {}
    try:
        for workers in workers_levels:
            with gunicorn(database_url, secret_key, workers) as server:
                clients = _login_all(server.port, usernames, password)
                cursor = 0
                with WorkerMemory(server.process.pid) as memory:
                    _drive(clients[:2], "review", 0.5, seed)  # warm up templates and caches
                    _drive([Client(server.port) for _ in range(2)], "ceiling", 0.5, seed)
                    for level in client_levels:
                        ceiling = _drive([Client(server.port) for _ in range(level)],
                                         "ceiling", seconds, seed)
                        chosen = [clients[(cursor + i) % len(clients)] for i in range(level)]
                        cursor += level
                        review = _drive(chosen, "review", seconds, seed + level)
                        ratio = review["rps"] / ceiling["rps"] if ceiling["rps"] else None
                        out[f"{workers} workers, {level} clients"] = {
                            "workers": workers, "clients": level, "review": review,
                            "ceiling": ceiling,
                            "ratio": round(ratio, 3) if ratio is not None else None}
                out[f"{workers} workers, memory"] = memory.peaks()
    finally:
        sys.setswitchinterval(interval)
    return out
