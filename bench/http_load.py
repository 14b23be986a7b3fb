"""HTTP under load: gunicorn (sync workers) on loopback, driven by threads.

Each client is one browser: its own connection (gunicorn's sync workers close it after
every response, so each request also connects), cookies and CSRF token. Review clients
log in as distinct learners and post grades to the JSON endpoint, taking the next card
from each reply, as review.js does. The ceiling is GET /healthz of the same app at the
same concurrency: what the stack (gunicorn, Flask, loopback, this load generator) allows.
The anchor is `bench.raw_review`: the same review shape in raw sqlite3 under the same
gunicorn flags and clients; quizapp's review throughput is reported as a share of it.
The dashboard row loads GET /progress/ alone, then beside reviewing clients.
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
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import raw_review
from bench.memory import WorkerMemory, children
from bench.timing import summary

RATINGS = (1, 2, 3, 4)
RATING_WEIGHTS = (0.10, 0.10, 0.75, 0.05)
CARD_RE = re.compile(r'data-card-id="(\d+)" data-submission-id="([^"]+)"')
TOKEN_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
QUIZAPP = "quizapp:create_app()"
RAW_APP = "bench.raw_review:app"
RAW_CARDS_PER_LEARNER = 3_000  # more than a client reviews in a full run's level


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
             env: dict[str, str] | None = None, app: str = QUIZAPP) -> Iterator[Server]:
    """gunicorn serving `app` (quizapp by default; the raw-sqlite anchor takes the same
    flags) with `workers` sync workers, once every worker answers."""
    port = _free_port()
    env = {**(env or os.environ), "DATABASE_URL": database_url, "SECRET_KEY": secret_key}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
         app], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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

    def login(self, username: str, password: str, *, study: bool = True) -> None:
        self._read_page(self.get("/auth/login")[1])
        status, _ = self.request(
            "POST", "/auth/login",
            urlencode({"username": username, "password": password,
                       "csrf_token": self.token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}")
        if not study:
            return
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


def _once(client: Client, kind: str, rng: random.Random) -> int:
    if kind == "review":
        return client.review(rng.choices(RATINGS, RATING_WEIGHTS)[0])
    return client.get("/progress/" if kind == "dashboard" else "/healthz")[0]


def _drive_together(groups: list[tuple[list[Client], str]], seconds: float, seed: int
                    ) -> list[dict[str, Any]]:
    """Every group's clients in a closed loop for `seconds`, all at once; one summary per
    group. Kinds: "review" (POST /study/review), "dashboard" (GET /progress/), "ceiling"
    (GET /healthz)."""
    runs = [Run() for _ in groups]
    members = [(g, n, c) for g, (clients, _) in enumerate(groups) for n, c in enumerate(clients)]
    start = threading.Barrier(len(members) + 1)
    t0 = 0.0

    def work(group: int, n: int, client: Client) -> None:
        kind, run = groups[group][1], runs[group]
        rng = random.Random(seed * 1000 + group * 100 + n)
        start.wait()
        deadline = t0 + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                status = _once(client, kind, rng)
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

    threads = [threading.Thread(target=work, args=m) for m in members]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    for _g, _n, client in members:
        client.close()
    return [_summarise(run, t0, seconds) for run in runs]


def _summarise(run: Run, t0: float, seconds: float) -> dict[str, Any]:
    elapsed = (max(run.finished_at) if run.finished_at else time.perf_counter()) - t0
    per_second = [0] * max(1, int(seconds))
    for at in run.finished_at:
        per_second[min(len(per_second) - 1, int(at - t0))] += 1
    result = summary(run.latencies_ms or [0.0], errors=run.errors, exhausted=run.exhausted)
    result.update(requests=len(run.latencies_ms), seconds=round(elapsed, 2),
                  rps=round(len(run.latencies_ms) / elapsed, 1) if elapsed > 0 else 0.0,
                  rps_per_second_median=sorted(per_second)[len(per_second) // 2])
    return result


def _drive(clients: list[Client], kind: str, seconds: float, seed: int) -> dict[str, Any]:
    return _drive_together([(clients, kind)], seconds, seed)[0]


def _login_all(port: int, usernames: list[str], password: str, *, study: bool = True
               ) -> list[Client]:
    clients = [Client(port) for _ in usernames]
    errors: list[BaseException] = []

    def login(batch: list[int]) -> None:
        for i in batch:
            try:
                clients[i].login(usernames[i], password, study=study)
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


def _raw_clients(port: int, path: Path, first: int, count: int) -> list[Client]:
    """Clients of the raw anchor, learners first..first+count-1, each on its first due card."""
    clients = []
    for user_id in range(first, first + count):
        client = Client(port)
        client.cookies["user"] = str(user_id)
        client.card = raw_review.first_card(path, user_id)
        if client.card is None:
            raise RuntimeError(f"raw anchor learner {user_id} has no due card")
        clients.append(client)
    return clients


def raw_anchor(path: Path, workers_levels: tuple[int, ...], client_levels: tuple[int, ...],
               seconds: float, seed: int) -> dict[int, dict[int, dict[str, Any]]]:
    """The raw-sqlite review endpoint at each worker count and concurrency: {workers:
    {clients: summary}}; a fresh database for each worker count, distinct learners per level
    (as the app's clients)."""
    learners = sum(client_levels) + 2
    out: dict[int, dict[int, dict[str, Any]]] = {}
    for workers in workers_levels:
        raw_review.build(path, learners, RAW_CARDS_PER_LEARNER)
        env = {**os.environ, "RAW_REVIEW_DATABASE": str(path)}
        with gunicorn("", "", workers, env=env, app=RAW_APP) as server:
            _drive(_raw_clients(server.port, path, 1, 2), "review", 0.5, seed)
            first = 3
            out[workers] = {}
            for level in client_levels:
                out[workers][level] = _drive(_raw_clients(server.port, path, first, level),
                                             "review", seconds, seed + level)
                first += level
    return out


def _ratio(ours: float, anchor: float) -> float | None:
    return round(ours / anchor, 3) if anchor else None


def run(database_url: str, secret_key: str, usernames: list[str], password: str,
        workers_levels: tuple[int, ...], client_levels: tuple[int, ...], seconds: float,
        seed: int, *, raw_path: Path, dashboard_user: str, dashboard_clients: int,
        dashboard_load: int) -> dict[str, Any]:
    """The raw-sqlite anchor first; then for each worker count: log every client in, at
    each concurrency the ceiling endpoint and the review endpoint one after the other, then
    the dashboard alone and beside `dashboard_load` reviewing clients; worker memory
    sampled throughout."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # 64 client threads: hand the GIL over promptly
    out: dict[str, Any] = {}
    try:
        raw = raw_anchor(raw_path, workers_levels, client_levels, seconds, seed)
        for workers in workers_levels:
            with gunicorn(database_url, secret_key, workers) as server:
                clients = _login_all(server.port, usernames, password)
                watchers = _login_all(server.port, [dashboard_user] * dashboard_clients,
                                      password, study=False)
                cursor = 0
                with WorkerMemory(server.process.pid) as memory:
                    _drive(clients[:2], "review", 0.5, seed)  # warm up templates and caches
                    _drive([Client(server.port) for _ in range(2)], "ceiling", 0.5, seed)
                    _drive(watchers[:1], "dashboard", 0.5, seed)
                    for level in client_levels:
                        ceiling = _drive([Client(server.port) for _ in range(level)],
                                         "ceiling", seconds, seed)
                        chosen = [clients[(cursor + i) % len(clients)] for i in range(level)]
                        cursor += level
                        review = _drive(chosen, "review", seconds, seed + level)
                        anchor = raw[workers][level]
                        out[f"{workers} workers, {level} clients"] = {
                            "workers": workers, "clients": level, "review": review,
                            "ceiling": ceiling, "raw_sqlite": anchor,
                            "ratio": _ratio(review["rps"], ceiling["rps"]),
                            "ratio_raw": _ratio(review["rps"], anchor["rps"])}
                    idle = _drive(watchers, "dashboard", seconds, seed)
                    chosen = [clients[(cursor + i) % len(clients)] for i in range(dashboard_load)]
                    loaded, beside = _drive_together(
                        [(watchers, "dashboard"), (chosen, "review")], seconds, seed + 7)
                    out[f"{workers} workers, dashboard under review load"] = {
                        "workers": workers, "dashboard_clients": dashboard_clients,
                        "review_clients": dashboard_load, "idle": idle, "loaded": loaded,
                        "review": beside, "ratio_p99": _ratio(loaded["p99_ms"], idle["p99_ms"])}
                out[f"{workers} workers, memory"] = memory.peaks()
    finally:
        sys.setswitchinterval(interval)
    return out
