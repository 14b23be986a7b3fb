"""The machine, the targets, the printed table and bench/results.json."""

import importlib.metadata
import json
import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PACKAGES = ("Flask", "SQLAlchemy", "gunicorn", "fsrs", "anki", "psycopg")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) * 1024 / 1e9, 1)
    except OSError:
        pass
    return None


def database_info(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    info: dict[str, Any] = {"kind": parsed.get_backend_name(),
                            "url": parsed.render_as_string(hide_password=True)}
    if info["kind"] == "sqlite":
        info["version"] = sqlite3.sqlite_version
    else:
        engine = create_engine(url)
        with engine.connect() as conn:
            info["version"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def machine() -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "ram_gb": round(_ram_gb() or 0, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
    }


def _target(name: str, value: float | None, limit: float, unit: str, *, at_most: bool,
            figure: str) -> dict[str, Any]:
    met = value is not None and (value <= limit if at_most else value >= limit)
    return {"target": name, "figure": figure, "value": value, "limit": limit, "unit": unit,
            "rule": "at most" if at_most else "at least", "met": met}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets (stated for a 2-core machine), checked against this run."""
    out = []
    services, anki, http = results["services"], results.get("anki", {}), results.get("http", {})
    if anki:
        size = max(anki, key=int)
        ours = services[f"submit_and_next[heavy-{size}]"]["median_ms"]
        theirs = anki[size]["answer_card + next card"]["median_ms"]
        out.append(_target(f"submit-review-and-next within 2x of Anki at {int(size):,} cards",
                           round(ours / theirs, 2), 2.0, "x Anki (median)", at_most=True,
                           figure=f"submit_and_next[heavy-{size}]"))
    for key, level in http.items():
        if "clients" not in level:
            continue
        out.append(_target(f"HTTP review throughput >= 50% of ceiling ({key})",
                           level["ratio"], 0.5, "review rps / ceiling rps", at_most=False,
                           figure=f"http[{key}]"))
    busiest = sorted({v["clients"] for v in http.values() if "clients" in v})
    p99_level = 32 if 32 in busiest else (busiest[-1] if busiest else None)
    for key, level in http.items():
        if level.get("clients") == p99_level:
            out.append(_target(f"HTTP review p99 <= 50 ms at {p99_level} clients ({key})",
                               level["review"]["p99_ms"], 50.0, "ms", at_most=True,
                               figure=f"http[{key}]"))
    dashboard = services["dashboard[10000 reviews]"]
    out.append(_target(f"dashboard <= 50 ms ({results['sizes']['dashboard_reviews']:,} reviews)",
                       dashboard["median_ms"], 50.0, "ms (median)", at_most=True,
                       figure="dashboard[10000 reviews]"))
    load = next(k for k in services if k.startswith("bank_load["))
    out.append(_target(f"{load} <= 3 s", round(services[load]["median_ms"] / 1000, 2), 3.0,
                       "s (median)", at_most=True, figure=load))
    for key, workers in results.get("memory", {}).items():
        peak = max((w["peak_rss_mb"] for w in workers.values()), default=None)
        out.append(_target(f"worker peak RSS <= 150 MB ({key})", peak, 150.0, "MB",
                           at_most=True, figure=f"memory[{key}]"))
    return out


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if value < 1 else f"{value:,.1f}"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, median ms, p99 ms, note) for the table."""
    out = []
    for name, fig in results["services"].items():
        note = f"{fig['cards']:,} cards" if "cards" in fig else ""
        out.append((name, _ms(fig["median_ms"]), _ms(fig["p99_ms"]), note))
    for size, figures in results.get("anki", {}).items():
        for name, fig in figures.items():
            if "median_ms" in fig:
                out.append((f"anki {name} [{int(size):,} cards]", _ms(fig["median_ms"]),
                            _ms(fig["p99_ms"]), ""))
    for key, level in results.get("http", {}).items():
        if "clients" in level:
            review, ceiling = level["review"], level["ceiling"]
            out.append((f"http review POST [{key}]", _ms(review["median_ms"]),
                        _ms(review["p99_ms"]),
                        f"{review['rps']:,.0f} rps, ceiling {ceiling['rps']:,.0f} rps "
                        f"(p99 {_ms(ceiling['p99_ms'])} ms), ratio {level['ratio']}"
                        + (f", {review['errors']} errors" if review["errors"] else "")))
    if load := results.get("import_load"):
        file, job = load["file"], load["import"]
        for name in ("dashboard idle", "dashboard during import"):
            fig = load[name]
            out.append((f"http {name}", _ms(fig["median_ms"]), _ms(fig["p99_ms"]),
                        f"{fig['clients']} learners, gunicorn 2 workers + 1 job worker"
                        + (f"; {file['bytes'] / 1e6:.1f} MB CSV, {file['questions']:,} "
                           f"questions: dry run {job['dry_run_s']} s, apply {job['apply_s']} s"
                           f" ({job['state']})" if name.endswith("import") else "")))
    for key, workers in results.get("memory", {}).items():
        for pid, mem in workers.items():
            out.append((f"worker RSS [{key}, pid {pid}]", "-", "-",
                        f"peak {mem['peak_rss_mb']} MB; under review load "
                        f"{mem['max_sampled_rss_mb']} MB"))
    return out


def table(results: dict[str, Any]) -> str:
    body = rows(results)
    width = max((len(r[0]) for r in body), default=20)
    lines = [f"{'figure':<{width}}  {'median ms':>10}  {'p99 ms':>10}  note",
             "-" * (width + 40)]
    lines += [f"{f:<{width}}  {m:>10}  {p:>10}  {n}" for f, m, p, n in body]
    lines += ["", "targets (as stated for a 2-core machine):"]
    for t in results["targets"]:
        lines.append(f"  [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['value']} "
                     f"{t['unit']} ({t['rule']} {t['limit']})")
    m = results["machine"]
    lines += ["", f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
              f"{m['platform']}, Python {m['python']}, database {results['database']['kind']} "
              f"{results['database']['version']}"]
    return "\n".join(lines)


def write(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
