"""The benchmark's smoke mode: every section runs at small sizes, so `make bench` cannot rot.

Checks the shape of the results only; timings are never asserted.
"""

import json
import numbers

import pytest

from bench import report
from bench.__main__ import databases
from bench.database import kind, sqlite_url
from bench.runner import run_benchmark
from tests.conftest import scratch_database


def _timed(figure: dict) -> bool:
    return all(isinstance(figure[k], numbers.Real) and figure[k] >= 0
               for k in ("median_ms", "p99_ms")) and figure["n"] >= 1


def _url(database: str, tmp_path) -> str:
    if database == "postgresql":
        return scratch_database("bench")  # its name has "bench" in it: the bench may empty it
    return f"sqlite:///{tmp_path / 'bench.sqlite3'}"


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_smoke_benchmark_produces_every_section(database, tmp_path):
    out = tmp_path / "results.json"
    results = run_benchmark(smoke=True, database_url=_url(database, tmp_path), out=out,
                            data_dir=tmp_path)

    assert json.loads(out.read_text())["mode"] == "smoke"
    assert results["database"]["kind"] == database
    sizes = results["sizes"]
    assert results["data"]["rows"]["user"] == sizes["learners"]
    assert results["data"]["rows"]["card"] == sizes["cards"]
    assert results["data"]["rows"]["review"] == sizes["reviews"]
    assert set(results["section_seconds"]) == {"data", "services", "http", "import", "anki",
                                               "class"}

    services = results["services"]
    for name in ("next_card[typical]", "dashboard[10000 reviews]", "interval_previews", "grade",
                 "quiz_answer", f"bank_load[{sizes['load_questions']} questions]",
                 *(f"submit_and_next[heavy-{n}]" for n in sizes["anki_cards"]),
                 *(f"next_card[heavy-{n}]" for n in sizes["anki_cards"]),
                 *(f"export[{f}, {sizes['load_questions']} questions]"
                   for f in ("yaml", "csv", "gift", "moodle-xml", "apkg"))):
        assert _timed(services[name]), name

    for size in sizes["anki_cards"]:
        figures = results["anki"][str(size)]
        assert _timed(figures["answer_card + next card"])
        assert _timed(figures["get_queued_cards (first call: builds the queue)"])

    levels = [v for v in results["http"].values() if "clients" in v]
    assert len(levels) == len(sizes["http_workers"]) * len(sizes["http_clients"])
    for level in levels:
        for side in ("review", "ceiling", "raw_sqlite"):  # quizapp, /healthz, the raw anchor
            assert level[side]["requests"] > 0 and level[side]["errors"] == 0, side
        assert level["ratio"] > 0 and level["ratio_raw"] > 0
    under_load = [v for v in results["http"].values() if "idle" in v]
    assert len(under_load) == len(sizes["http_workers"])
    for row in under_load:  # the dashboard alone, then beside reviewing clients
        for side in ("idle", "loaded", "review"):
            assert row[side]["requests"] > 0 and row[side]["errors"] == 0, side
        assert row["ratio_p99"] > 0
    for workers in results["memory"].values():
        assert workers and all(w["peak_rss_mb"] > 0 for w in workers.values())

    load = results["import_load"]  # learners' dashboard before and during an import job
    assert load["import"]["state"] == "done", load["import"]
    assert load["file"]["questions"] > 0
    assert _timed(load["dashboard idle"]) and _timed(load["dashboard during import"])

    page = results["class_page"]  # the teacher's page of a class added to the generated site
    assert _timed(page) and page["cards"] == sizes["class_learners"] * sizes["class_questions"]

    names = [t["target"] for t in results["targets"]]
    for prefix in ("submit-review-and-next within 2x of Anki", "next-card growth",
                   "HTTP review throughput >= 50% of raw sqlite", "HTTP review p99",
                   "dashboard p99 under review load", "dashboard <= 50 ms", "bank_load[",
                   "worker peak RSS", "dashboard p99 during an import", "class page <="):
        assert any(n.startswith(prefix) for n in names), prefix
    assert all(isinstance(t["met"], bool) and t["ratio"] is not None
               for t in results["targets"])
    assert results["machine"]["cores"] >= 1
    assert "raw-sqlite review POST" in report.table(results)
    assert "class page GET" in report.table(results)


def _level(workers: int, clients: int, rps: float) -> dict:
    figure = {"rps": rps, "p99_ms": 10.0, "median_ms": 5.0}
    return {"workers": workers, "clients": clients, "review": figure, "ceiling": figure,
            "raw_sqlite": {**figure, "rps": 100.0}, "ratio": 1.0, "ratio_raw": rps / 100}


@pytest.mark.parametrize(("rps_2", "rps_4", "met"), [(50.0, 60.0, True), (50.0, 40.0, False)])
def test_more_workers_are_checked_against_fewer(rps_2, rps_4, met):
    results = {"services": {}, "sizes": {}, "http": {
        "2 workers, 32 clients": _level(2, 32, rps_2),
        "4 workers, 32 clients": _level(4, 32, rps_4)}}
    [row] = [t for t in report.targets(results) if "4 workers >= 2 workers" in t["target"]]
    assert row["ratio"] == round(rps_4 / rps_2, 3) and row["met"] is met
    assert {t["target"] for t in report.targets(results) if "p99 <= 50 ms" in t["target"]} == {
        "HTTP review p99 <= 50 ms at 32 clients (2 workers, 32 clients)",
        "HTTP review p99 <= 50 ms at 32 clients (4 workers, 32 clients)"}


def test_an_unreachable_postgresql_is_skipped_with_its_reason(monkeypatch):
    monkeypatch.setenv("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x_bench")
    urls, skipped = databases([])
    assert urls == [sqlite_url()]
    [(url, reason)] = skipped.items()
    assert url.endswith(":1/x_bench") and reason


def test_the_default_run_covers_both_databases():
    urls, skipped = databases([])
    if skipped:
        pytest.skip(f"PostgreSQL unreachable here: {skipped}")
    assert [kind(u) for u in urls] == ["sqlite", "postgresql"]
    assert databases(["sqlite:///x/bench.sqlite3"]) == (["sqlite:///x/bench.sqlite3"], {})
