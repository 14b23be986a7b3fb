"""python -m bench [--smoke] [--database-url URL ...] [--out bench/results.json]

Without --database-url, one run covers SQLite (bench/.data/bench.sqlite3) and PostgreSQL
($BENCH_POSTGRES_URL, else postgresql+psycopg://postgres@127.0.0.1/quizapp_bench, created
if missing; skipped with the reason printed when the server cannot be reached)."""

import argparse
import json
import time
from pathlib import Path

from bench.database import ensure_postgres, kind, postgres_url, sqlite_url
from bench.report import table, target_line
from bench.runner import SECTIONS, run_benchmark


def databases(urls: list[str]) -> tuple[list[str], dict[str, str]]:
    """The URLs to run on and those skipped, with why."""
    if urls:
        for url in urls:
            if kind(url) == "postgresql" and (reason := ensure_postgres(url)):
                raise SystemExit(f"cannot use {url}: {reason}")
        return urls, {}
    pg = postgres_url()
    reason = ensure_postgres(pg)
    if reason is None:
        return [sqlite_url(), pg], {}
    return [sqlite_url()], {pg: reason}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="small sizes, a few seconds per section (what `make test` runs)")
    parser.add_argument("--database-url", action="append", default=[],
                        help="run on this database only (repeatable); default: SQLite and "
                             "PostgreSQL")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default: bench/results.json; smoke: none)")
    parser.add_argument("--wipe", action="store_true",
                        help="allow emptying a database whose name has no 'bench' in it")
    parser.add_argument("--reuse-data", action="store_true",
                        help="keep the data of the last run with the same sizes and URL")
    parser.add_argument("--skip", action="append", choices=SECTIONS, default=[])
    parser.add_argument("--seed", type=int, default=20260301)
    args = parser.parse_args(argv)
    out = args.out
    if out is None and not args.smoke:
        out = Path(__file__).resolve().parent / "results.json"
    urls, skipped = databases(args.database_url)
    for url, reason in skipped.items():
        print(f"SKIPPING PostgreSQL ({url}): {reason}", flush=True)
    runs = {}
    for url in urls:
        started = time.perf_counter()
        print(f"\n=== {kind(url)} ===", flush=True)
        runs[kind(url)] = run_benchmark(
            smoke=args.smoke, database_url=url, out=None, wipe=args.wipe,
            reuse=args.reuse_data, seed=args.seed, skip=tuple(args.skip))
        print(f"=== {kind(url)} done in {time.perf_counter() - started:.0f} s ===", flush=True)
    for name, results in runs.items():
        print(f"\n--- {name} ---")
        print(table(results))
    print("\nall targets:")
    for name, results in runs.items():
        for target in results["targets"]:
            print(f"  {name:<10} {target_line(target)}")
    for url, reason in skipped.items():
        print(f"  postgresql NOT RUN ({url}): {reason}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"runs": runs, "skipped": skipped}, indent=2, default=str)
                       + "\n")
        print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
