"""One benchmark run: generate, time the services, load HTTP, compare with Anki, report."""

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import anki_side, class_page, http_load, import_load, report, services
from bench.database import (
    DATA_DIR,
    SECRET_KEY,
    check_disposable,
    default_url,
    fresh,
    kind,
    make_app,
)
from bench.generate import PASSWORD, Dataset, dataset_json, generate
from bench.sizes import FULL, SMOKE
from quizapp.extensions import db

SECTIONS = ("services", "http", "import", "anki", "class")
NOTES = [
    "Each service figure is one call per repetition in a fresh session (as a request); "
    "median and p99 (nearest rank) over the repetitions.",
    "submit_and_next = study.answer_card + study.queue + study.interval_labels (what "
    "POST /study/review computes before rendering); Anki's counterpart is "
    "sched.answer_card + sched.get_queued_cards (which also returns the next card's "
    "scheduling states).",
    "Anki keeps its queue in memory between calls; 'first call' reopens the collection "
    "before each timing, so the queue is built from the database as our queue always is.",
    "HTTP: closed loop, each client sends its next request when the last one is answered; "
    "gunicorn sync workers close the connection after each response. The load generator "
    "(Python threads) shares the machine's cores with the server.",
    "Worker peak RSS is the kernel's VmHWM over the server's life, which includes the "
    "clients' logins (argon2id, 64 MiB per hash); 'under review load' is the highest RSS "
    "sampled every 0.2 s while the load ran. MB = 10^6 bytes.",
    "The heavy learners (Anki comparison) study ten generated scale banks of 10,000 "
    "questions: a learner holds one card per question.",
]


class SectionTimer:
    """Prints and records how long each section took (seconds since the last one ended)."""

    def __init__(self, into: dict[str, float]):
        self.into, self.last = into, time.perf_counter()

    def done(self, section: str) -> None:
        now = time.perf_counter()
        self.into[section] = round(now - self.last, 1)
        self.last = now
        print(f"  [{section}: {self.into[section]} s]", flush=True)


APP_DIR = Path(__file__).resolve().parent.parent / "quizapp"


def code_fingerprint() -> str:
    """sha256 of the app's Python files and migrations: a run whose code changed midway
    (workers import it when they start) is flagged in the results."""
    digest = hashlib.sha256()
    for path in sorted(APP_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(APP_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _load_or_generate(url: str, sizes_name: str, data_dir: Path, reuse: bool,
                      seed: int) -> tuple[Any, Dataset]:
    sizes = SMOKE if sizes_name == "smoke" else FULL
    saved = data_dir / f"dataset-{sizes_name}-{kind(url)}.json"
    if reuse and saved.exists():
        stored = json.loads(saved.read_text())
        if stored.get("url") == url and stored.get("sizes") == json.loads(
                json.dumps(sizes.as_dict())):
            print(f"reusing the data generated at {stored['generated_at']}", flush=True)
            data = stored["dataset"]
            return make_app(url), Dataset(**data)
    print(f"generating data ({sizes_name}) in {report.database_info(url)['url']}", flush=True)
    app = fresh(url)
    dataset = generate(app, sizes, seed)
    print(f"generated in {dataset.seconds['total']:.1f} s: {dataset.rows}", flush=True)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps({"url": url, "sizes": sizes.as_dict(),
                                 "generated_at": datetime.now(UTC).isoformat(),
                                 "dataset": dataset_json(dataset)}))
    return app, dataset


def run_benchmark(*, smoke: bool = False, database_url: str | None = None,
                  out: Path | None = None, data_dir: Path = DATA_DIR, wipe: bool = False,
                  reuse: bool = False, seed: int = 20260301,
                  skip: tuple[str, ...] = ()) -> dict[str, Any]:
    sizes = SMOKE if smoke else FULL
    url = database_url or default_url()
    check_disposable(url, wipe)
    started = time.perf_counter()
    timer = SectionTimer({})
    results: dict[str, Any] = {
        "mode": "smoke" if smoke else "full", "started_at": datetime.now(UTC).isoformat(),
        "seed": seed, "machine": report.machine(), "database": report.database_info(url),
        "sizes": sizes.as_dict(), "notes": NOTES,
        # Other work on the machine shows here: the figures assume it was otherwise idle.
        "load_average": {"start": os.getloadavg()},
        "code": {"quizapp_sha256_at_start": code_fingerprint()},
        "section_seconds": timer.into,
    }
    app, dataset = _load_or_generate(url, results["mode"], data_dir, reuse, seed)
    results["data"] = {"rows": dataset.rows, "generation_seconds": dataset.seconds,
                       "interval_growth": dataset.interval_growth,
                       "learners": {"heavy": dataset.heavy, "dashboard": dataset.dashboard,
                                    "typical": dataset.typical,
                                    "http_pool": len(dataset.http_pool)}}
    mirrors = {size: anki_side.profile(app, uid) for size, uid in dataset.heavy.items()}

    results["load_average"]["after generation"] = os.getloadavg()
    timer.done("data")
    print("services in process ...", flush=True)
    results["services"] = services.run(app, dataset, sizes, seed) \
        if "services" not in skip else {}
    timer.done("services")
    with app.app_context():
        db.engine.dispose()  # the workers get the database to themselves

    results["load_average"]["after services"] = os.getloadavg()
    if "http" not in skip:
        print("HTTP under load ...", flush=True)
        http = http_load.run(url, SECRET_KEY, [dataset.username(u) for u in dataset.http_pool],
                             PASSWORD, sizes.http_workers, sizes.http_clients,
                             sizes.http_seconds, seed, raw_path=data_dir / "raw-review.sqlite3",
                             dashboard_user=dataset.username(dataset.dashboard),
                             dashboard_clients=sizes.dashboard_clients,
                             dashboard_load=sizes.dashboard_load)
        results["memory"] = {k: v for k, v in http.items() if k.endswith("memory")}
        results["http"] = {k: v for k, v in http.items() if not k.endswith("memory")}
        timer.done("http")

    results["load_average"]["after http"] = os.getloadavg()
    if "import" not in skip:
        print("dashboard during an import job ...", flush=True)
        results["import_load"] = import_load.run(
            url, SECRET_KEY, [dataset.username(u) for u in dataset.http_pool][:8], PASSWORD,
            sizes.import_bytes, sizes.http_seconds, seed, data_dir)
        results["load_average"]["after import"] = os.getloadavg()
        timer.done("import")
    if "anki" not in skip:
        print("Anki side by side ...", flush=True)
        results["anki"] = {
            size: anki_side.run(mirror, data_dir / f"anki-{size}.anki2",
                                (sizes.fast_repeats, sizes.slow_repeats), seed)
            for size, mirror in sorted(mirrors.items(), key=lambda item: int(item[0]))}
        timer.done("anki")
    if "class" not in skip:  # last: its class joins the generated site
        print("class page ...", flush=True)
        results["class_page"] = class_page.time_page(
            app, learners=sizes.class_learners, questions=sizes.class_questions,
            repeat=sizes.fast_repeats // 10 or 1)
        timer.done("class")

    results["load_average"]["end"] = os.getloadavg()
    results["code"]["quizapp_sha256_at_end"] = code_fingerprint()
    results["code"]["changed_during_run"] = (
        results["code"]["quizapp_sha256_at_end"] != results["code"]["quizapp_sha256_at_start"])
    if results["code"]["changed_during_run"]:
        print("WARNING: quizapp's code changed during the run; its figures mix two versions")
    results["targets"] = report.targets(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    if out is not None:
        report.write(results, out)
    return results
