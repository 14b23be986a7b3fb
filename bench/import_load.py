"""Learners' dashboard latency while a large import runs as a job.

gunicorn (2 sync workers) and one Huey consumer on the bench database; learners load their
dashboard in a closed loop, first with nothing else running, then while an instructor's
CSV import (about `import_bytes`; a dry run, then the apply) goes through the worker. The
job pages are polled as the browser would. Every upload goes through the job path here
(QUIZAPP_INLINE_IMPORT_BYTES=0), so the smoke mode's small file exercises it too.
"""

import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from bench import questions
from bench.http_load import Client, _login_all, gunicorn
from bench.timing import summary
from quizapp import create_app
from quizapp.domain.bank_file import BankHeader
from quizapp.domain.formats import FORMATS
from quizapp.extensions import db
from quizapp.models import Bank, Role
from quizapp.models.types import utcnow
from quizapp.services import accounts

INSTRUCTOR = "bench-importer"
SLUG = "bench-import-target"
JOB_RE = re.compile(r"/jobs/(\d+)$")
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def import_file(seed: int, size: int) -> tuple[bytes, int]:
    """A CSV bank of generated questions, as large as fits in `size` bytes."""
    header = BankHeader(slug=SLUG, title="Import target", description="", article="trafficking")
    per_question = len(FORMATS["csv"].export(header, questions.specs(
        questions.questions(seed, 50)))) / 50
    count = max(1, math.floor(size / per_question))
    while True:
        data = FORMATS["csv"].export(header, questions.specs(questions.questions(seed, count)))
        if len(data) <= size or count == 1:
            return data, count
        count = math.floor(count * 0.97)


def _prepare(database_url: str, secret_key: str, password: str) -> int:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key})
    with app.app_context():
        user = accounts.find_user(INSTRUCTOR) or accounts.create_user(
            INSTRUCTOR, password, role=Role.INSTRUCTOR, now=utcnow())
        user.first_login_at = utcnow()
        bank = db.session.scalar(db.select(Bank).where(Bank.slug == SLUG))
        if bank is None:
            bank = Bank(slug=SLUG, title="Import target", article="trafficking",
                        created_at=utcnow(), published_at=utcnow(), owner_id=user.id)
            db.session.add(bank)
        db.session.flush()
        bank_id = bank.id  # read before the commit, which would expire it
        db.session.commit()
        db.session.remove()  # its connection back in the pool, so that dispose closes it
        db.engine.dispose()
    return bank_id


@contextmanager
def consumer(env: dict[str, str], log: Path):
    """One Huey consumer; its log (a failed job's traceback) goes to `log`."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "huey.bin.huey_consumer", "quizapp.worker.huey", "-w", "1",
             "-k", "thread", "-d", "0.1", "-m", "1"], env=env, stdout=subprocess.DEVNULL,
            stderr=stderr)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_in(client: Client, username: str, password: str) -> str:
    page = client.get("/auth/login")[1].decode()
    token = CSRF_RE.search(page).group(1)
    status, _ = client.request("POST", "/auth/login", urlencode(
        {"username": username, "password": password, "csrf_token": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise RuntimeError(f"login as {username} answered {status}")
    return CSRF_RE.search(client.get("/author/banks")[1].decode()).group(1)


def _job_of(status: int, location: str | None) -> int:
    match = JOB_RE.search(location or "")
    if status != 302 or match is None:
        raise RuntimeError(f"the import was not queued as a job (status {status})")
    return int(match.group(1))


def _wait(client: Client, job_id: int, limit_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        state = json.loads(client.get(f"/jobs/{job_id}.json")[1])
        if state["finished"]:
            return state
        time.sleep(1.0)  # as the page's poll
    raise RuntimeError(f"job {job_id} did not finish within {limit_s} s")


def _post(client: Client, path: str, body: bytes, content_type: str) -> tuple[int, str | None]:
    status, _ = client.request("POST", path, body, {"Content-Type": content_type})
    return status, client.location


def _import(client: Client, bank_id: int, data: bytes, csrf: str, limit_s: float
            ) -> dict[str, Any]:
    files = MultiDict({"csrf_token": csrf, "format": "csv",
                       "file": FileStorage(io.BytesIO(data), filename="big.csv")})
    stream, _length, boundary = stream_encode_multipart(files, use_tempfile=False)
    started = time.perf_counter()
    status, location = _post(client, f"/author/banks/{bank_id}/transfer", stream.read(),
                             f'multipart/form-data; boundary="{boundary}"')
    job_id = _job_of(status, location)
    dry_run = _wait(client, job_id, limit_s)
    dry_run_s = time.perf_counter() - started
    if dry_run["state"] != "done":
        raise RuntimeError(f"the dry run failed: {dry_run['error']}")
    page = client.get(f"/jobs/{job_id}")[1].decode()
    token = TOKEN_RE.search(page).group(1)
    started = time.perf_counter()
    status, location = _post(client, f"/author/banks/{bank_id}/transfer/apply",
                             urlencode({"token": token, "csrf_token": csrf}).encode(),
                             "application/x-www-form-urlencoded")
    applied = _wait(client, _job_of(status, location), limit_s)
    return {"dry_run_s": round(dry_run_s, 2), "apply_s": round(time.perf_counter() - started, 2),
            "state": applied["state"], "error": applied["error"]}


def _dashboards(clients: list[Client], stop: threading.Event
                ) -> tuple[list[float], list[threading.Thread]]:
    """Each learner loads the dashboard in a loop until `stop`; a failure counts as inf."""
    samples: list[float] = []
    lock = threading.Lock()

    def work(client: Client) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            status, _ = client.get("/progress/")
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples.append(elapsed if status == 200 else float("inf"))

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    return samples, threads


def run(database_url: str, secret_key: str, usernames: list[str], password: str,
        import_bytes: int, seconds: float, seed: int, queue_dir: Path) -> dict[str, Any]:
    bank_id = _prepare(database_url, secret_key, password)
    data, count = import_file(seed, import_bytes)
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
           "QUIZAPP_QUEUE_PATH": str(queue_dir / "bench-queue.sqlite3"),
           "QUIZAPP_INLINE_IMPORT_BYTES": "0"}
    env.pop("REDIS_URL", None)
    out: dict[str, Any] = {"file": {"bytes": len(data), "questions": count, "format": "csv"}}
    log = queue_dir / "job-worker.log"
    out["job_worker_log"] = str(log)
    with gunicorn(database_url, secret_key, 2, env=env) as server, consumer(env, log):
        learners = _login_all(server.port, usernames, password, study=False)  # dashboards only
        stop = threading.Event()
        samples, threads = _dashboards(learners, stop)
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        out["dashboard idle"] = summary(samples, clients=len(learners))
        instructor = Client(server.port)
        csrf = _log_in(instructor, INSTRUCTOR, password)
        stop = threading.Event()
        samples, threads = _dashboards(learners, stop)
        try:
            out["import"] = _import(instructor, bank_id, data, csrf, limit_s=600)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        out["dashboard during import"] = summary(samples, clients=len(learners))
        for client in [*learners, instructor]:
            client.close()
    return out
