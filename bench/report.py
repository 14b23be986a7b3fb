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


def _target(name: str, value: float | None, anchor: float | None, limit: float, *,
            at_most: bool, figure: str, unit: str, anchor_name: str) -> dict[str, Any]:
    """One target as a ratio: `value` (in `unit`) over its anchor (`anchor_name`, a figure
    of the same run or the stated budget), checked against `limit`."""
    ratio = round(value / anchor, 3) if value is not None and anchor else None
    met = ratio is not None and (ratio <= limit if at_most else ratio >= limit)
    return {"target": name, "figure": figure, "value": value, "unit": unit,
            "anchor": anchor_name, "anchor_value": anchor, "ratio": ratio, "limit": limit,
            "rule": "at most" if at_most else "at least", "met": met}


def _budget(name: str, value: float | None, budget: float, unit: str, figure: str
            ) -> dict[str, Any]:
    return _target(name, value, budget, 1.0, at_most=True, figure=figure, unit=unit,
                   anchor_name="budget")


def _anki_targets(services: dict[str, Any], anki: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for size in sorted(anki, key=int):
        name = f"submit_and_next[heavy-{size}]"
        if name not in services:
            continue
        out.append(_target(
            f"submit-review-and-next within 2x of Anki at {int(size):,} cards",
            services[name]["median_ms"], anki[size]["answer_card + next card"]["median_ms"],
            2.0, at_most=True, figure=name, unit="ms (median)",
            anchor_name="Anki answer_card + next card (median)"))
    return out


def _growth_target(services: dict[str, Any]) -> list[dict[str, Any]]:
    heavy = sorted((int(k[len("next_card[heavy-"):-1]), v) for k, v in services.items()
                   if k.startswith("next_card[heavy-"))
    if len(heavy) < 2:
        return []
    (small, fewer), (large, more) = heavy[0], heavy[-1]
    return [_target(f"next-card growth {small:,} -> {large:,} cards", more["median_ms"],
                    fewer["median_ms"], 1.5, at_most=True, figure=f"next_card[heavy-{large}]",
                    unit="ms (median)", anchor_name=f"next_card[heavy-{small}] (median)")]


def _http_targets(http: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    levels = {k: v for k, v in http.items() if "clients" in v}
    for key, level in levels.items():
        out.append(_target(
            f"HTTP review throughput >= 50% of raw sqlite ({key})", level["review"]["rps"],
            level["raw_sqlite"]["rps"], 0.5, at_most=False, figure=f"http[{key}]",
            unit="rps", anchor_name="raw-sqlite review endpoint rps"))
    workers = sorted({v["workers"] for v in levels.values()})
    if len(workers) >= 2:
        few, most = workers[0], workers[-1]
        for level in sorted({v["clients"] for v in levels.values()}):
            ours, base = levels.get(f"{most} workers, {level} clients"), \
                levels.get(f"{few} workers, {level} clients")
            if ours and base:
                out.append(_target(
                    f"HTTP review {most} workers >= {few} workers ({level} clients)",
                    ours["review"]["rps"], base["review"]["rps"], 1.0, at_most=False,
                    figure=f"http[{most} workers, {level} clients]", unit="rps",
                    anchor_name=f"{few} workers rps"))
    busiest = sorted({v["clients"] for v in levels.values()})
    p99_level = 32 if 32 in busiest else (busiest[-1] if busiest else None)
    for key, level in levels.items():
        if level["clients"] == p99_level:
            out.append(_budget(f"HTTP review p99 <= 50 ms at {p99_level} clients ({key})",
                               level["review"]["p99_ms"], 50.0, "ms", f"http[{key}]"))
    for key, row in http.items():
        if "idle" in row:
            out.append(_target(
                f"dashboard p99 under review load <= 2x idle ({key})", row["loaded"]["p99_ms"],
                row["idle"]["p99_ms"], 2.0, at_most=True, figure=f"http[{key}]", unit="ms",
                anchor_name="dashboard idle p99"))
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets (stated for a 2-core machine), each as a ratio against its
    anchor, checked against this run; a section skipped has no rows."""
    services, anki, http = results["services"], results.get("anki", {}), results.get("http", {})
    out = [*_anki_targets(services, anki), *_growth_target(services), *_http_targets(http)]
    if "dashboard[10000 reviews]" in services:
        out.append(_budget(
            f"dashboard <= 50 ms ({results['sizes']['dashboard_reviews']:,} reviews)",
            services["dashboard[10000 reviews]"]["median_ms"], 50.0, "ms (median)",
            "dashboard[10000 reviews]"))
    if load := next((k for k in services if k.startswith("bank_load[")), None):
        out.append(_budget(f"{load} <= 3 s", round(services[load]["median_ms"] / 1000, 3),
                           3.0, "s (median)", load))
    for key, workers in results.get("memory", {}).items():
        peak = max((w["peak_rss_mb"] for w in workers.values()), default=None)
        out.append(_budget(f"worker peak RSS <= 150 MB ({key})", peak, 150.0, "MB",
                           f"memory[{key}]"))
    if imported := results.get("import_load"):
        out.append(_target(
            "dashboard p99 during an import <= 2x idle", imported["dashboard during import"]
            ["p99_ms"], imported["dashboard idle"]["p99_ms"], 2.0, at_most=True,
            figure="import_load", unit="ms", anchor_name="dashboard idle p99 (2 workers)"))
    if page := results.get("class_page"):
        out.append(_budget(
            f"class page <= {page['target_ms']} ms ({page['learners']} learners x "
            f"{page['questions']} questions)", page["median_ms"], page["target_ms"],
            "ms (median, server time)", "class_page"))
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
            review, ceiling, raw = level["review"], level["ceiling"], level["raw_sqlite"]
            out.append((f"http review POST [{key}]", _ms(review["median_ms"]),
                        _ms(review["p99_ms"]),
                        f"{review['rps']:,.0f} rps = {level['ratio_raw']} x raw sqlite; "
                        f"ceiling {ceiling['rps']:,.0f} rps (p99 {_ms(ceiling['p99_ms'])} ms)"
                        + (f", {review['errors']} errors" if review["errors"] else "")))
            out.append((f"http raw-sqlite review POST [{key}]", _ms(raw["median_ms"]),
                        _ms(raw["p99_ms"]), f"{raw['rps']:,.0f} rps (the anchor)"
                        + (f", {raw['errors']} errors" if raw["errors"] else "")))
        elif "idle" in level:
            for name in ("idle", "loaded"):
                fig = level[name]
                out.append((f"http dashboard GET {name} [{key}]", _ms(fig["median_ms"]),
                            _ms(fig["p99_ms"]),
                            f"{level['dashboard_clients']} browsers, {fig['rps']:,.0f} rps"
                            + (f"; beside {level['review_clients']} reviewing clients "
                               f"({level['review']['rps']:,.0f} rps), p99 ratio "
                               f"{level['ratio_p99']}" if name == "loaded" else "")
                            + (f", {fig['errors']} errors" if fig["errors"] else "")))
    if load := results.get("import_load"):
        file, job = load["file"], load["import"]
        for name in ("dashboard idle", "dashboard during import"):
            fig = load[name]
            out.append((f"http {name}", _ms(fig["median_ms"]), _ms(fig["p99_ms"]),
                        f"{fig['clients']} learners, gunicorn 2 workers + 1 job worker"
                        + (f"; {file['bytes'] / 1e6:.1f} MB CSV, {file['questions']:,} "
                           f"questions: dry run {job['dry_run_s']} s, apply {job['apply_s']} s"
                           f" ({job['state']}" + (f": see {load['job_worker_log']}"
                                                  if job["state"] != "done" else "") + ")"
                           if name.endswith("import") else "")))
    if page := results.get("class_page"):
        out.append(("class page GET (in process)", _ms(page["median_ms"]), _ms(page["p99_ms"]),
                    f"{page['learners']} learners x {page['questions']} questions, "
                    f"{page['cards']:,} cards, among the generated site's"))
    for key, workers in results.get("memory", {}).items():
        for pid, mem in workers.items():
            out.append((f"worker RSS [{key}, pid {pid}]", "-", "-",
                        f"peak {mem['peak_rss_mb']} MB; under review load "
                        f"{mem['max_sampled_rss_mb']} MB"))
    return out


def target_line(t: dict[str, Any]) -> str:
    return (f"[{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['value']} {t['unit']} "
            f"/ {t['anchor']} {t['anchor_value']} = {t['ratio']} ({t['rule']} {t['limit']})")


def table(results: dict[str, Any]) -> str:
    body = rows(results)
    width = max((len(r[0]) for r in body), default=20)
    lines = [f"{'figure':<{width}}  {'median ms':>10}  {'p99 ms':>10}  note",
             "-" * (width + 40)]
    lines += [f"{f:<{width}}  {m:>10}  {p:>10}  {n}" for f, m, p, n in body]
    lines += ["", "targets (as stated for a 2-core machine; each a ratio against its anchor):"]
    lines += [f"  {target_line(t)}" for t in results["targets"]]
    m = results["machine"]
    lines += ["", f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
              f"{m['platform']}, Python {m['python']}, database {results['database']['kind']} "
              f"{results['database']['version']}"]
    return "\n".join(lines)


def write(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
