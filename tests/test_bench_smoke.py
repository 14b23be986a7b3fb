"""The benchmark's smoke mode: every section runs at small sizes, so `make bench` cannot rot.

Checks the shape of the results only; timings are never asserted.
"""

import json
import numbers

import pytest

from bench.runner import run_benchmark

pytestmark = pytest.mark.slow


def _timed(figure: dict) -> bool:
    return all(isinstance(figure[k], numbers.Real) and figure[k] >= 0
               for k in ("median_ms", "p99_ms")) and figure["n"] >= 1


def test_smoke_benchmark_produces_every_section(tmp_path):
    out = tmp_path / "results.json"
    results = run_benchmark(smoke=True, database_url=f"sqlite:///{tmp_path / 'bench.sqlite3'}",
                            out=out, data_dir=tmp_path)

    assert json.loads(out.read_text())["mode"] == "smoke"
    sizes = results["sizes"]
    assert results["data"]["rows"]["user"] == sizes["learners"]
    assert results["data"]["rows"]["card"] == sizes["cards"]
    assert results["data"]["rows"]["review"] == sizes["reviews"]

    services = results["services"]
    for name in ("next_card[typical]", "dashboard[10000 reviews]", "interval_previews", "grade",
                 "quiz_answer", f"bank_load[{sizes['load_questions']} questions]",
                 *(f"submit_and_next[heavy-{n}]" for n in sizes["anki_cards"]),
                 *(f"export[{f}, {sizes['load_questions']} questions]"
                   for f in ("yaml", "csv", "gift", "moodle-xml", "apkg"))):
        assert _timed(services[name]), name

    for size in sizes["anki_cards"]:
        figures = results["anki"][str(size)]
        assert _timed(figures["answer_card + next card"])
        assert _timed(figures["get_queued_cards (first call: builds the queue)"])

    levels = [v for v in results["http"].values()]
    assert len(levels) == len(sizes["http_workers"]) * len(sizes["http_clients"])
    for level in levels:
        assert level["review"]["requests"] > 0 and level["ceiling"]["requests"] > 0
        assert level["review"]["errors"] == 0
        assert level["ratio"] > 0
    for workers in results["memory"].values():
        assert workers and all(w["peak_rss_mb"] > 0 for w in workers.values())

    load = results["import_load"]  # learners' dashboard before and during an import job
    assert load["import"]["state"] == "done" and load["file"]["questions"] > 0
    assert _timed(load["dashboard idle"]) and _timed(load["dashboard during import"])

    assert results["targets"] and all(isinstance(t["met"], bool) for t in results["targets"])
    assert results["machine"]["cores"] >= 1
