"""python -m bench [--smoke] [--database-url URL] [--out bench/results.json]"""

import argparse
from pathlib import Path

from bench.report import table
from bench.runner import SECTIONS, run_benchmark


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true",
                        help="small sizes, a few seconds per section (what `make test` runs)")
    parser.add_argument("--database-url",
                        help="default: $DATABASE_URL, else bench/.data/bench.sqlite3")
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
    results = run_benchmark(smoke=args.smoke, database_url=args.database_url, out=out,
                            wipe=args.wipe, reuse=args.reuse_data, seed=args.seed,
                            skip=tuple(args.skip))
    print()
    print(table(results))
    if out is not None:
        print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
