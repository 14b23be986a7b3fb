"""`bandit -r quizapp -ll` reports nothing of medium or high severity."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_medium_or_high():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent)) or "bandit"
    result = subprocess.run([bandit, "-r", "quizapp", "-ll", "-q", "-f", "txt"], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout
