"""The suite itself: it cannot hang on a leaked child process, whatever shell started it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEAKY = '''
import subprocess

def test_leaks_a_child():
    subprocess.Popen(["sleep", "600"])
'''


def _pytest(directory: Path, *args: str, ignore_sigint: bool = False):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory, env=env, capture_output=True, text=True, timeout=240,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        if ignore_sigint else None)


def test_a_leaked_child_process_fails_the_run_and_is_stopped(tmp_path):
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_sessionfinish\n")
    (tmp_path / "test_leak.py").write_text(LEAKY)
    result = _pytest(tmp_path)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED
    assert "left child processes running: sleep" in result.stdout
    leftovers = subprocess.run(["pgrep", "-f", "^sleep 600$"], capture_output=True, text=True)
    assert leftovers.stdout == ""


@pytest.mark.slow
def test_browser_tests_end_with_sigint_ignored(tmp_path):
    """A background job ignores SIGINT; pytest-flask stops its servers with SIGINT."""
    result = _pytest(ROOT, "tests/browser/test_account_journey.py", "-x", ignore_sigint=True)
    assert result.returncode == 0, result.stdout[-2000:]
