"""`make run` serves with gunicorn and prints the admin box last; `make dev` keeps the
reloader. Read from `make -n` (what make would run, without running it)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def planned(target: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # Run by `make test`, this is a sub-make: without its parent's variables and with
    # --no-print-directory, it prints only the plan (no "Entering directory" lines).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(["make", "--no-print-directory", "-n", target, "HOST=127.0.0.1",
                             "PORT=5000"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout.strip().splitlines()


def test_run_ends_with_the_admin_box_then_gunicorn():
    *steps, box, serve = planned("run")
    assert any("db upgrade" in s for s in steps) and any("bank load" in s for s in steps)
    assert "user ensure-admin --url http://127.0.0.1:5000/" in box
    assert "gunicorn" in serve and "--bind 127.0.0.1:5000" in serve and "--workers 2" in serve
    assert "flask --app quizapp run" not in " ".join(steps + [serve])


def test_dev_runs_flasks_reloader():
    *_, box, serve = planned("dev")
    assert "user ensure-admin" in box
    assert "flask --app quizapp run --debug --host 127.0.0.1 --port 5000" in serve
