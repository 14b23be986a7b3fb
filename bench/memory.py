"""Resident memory of gunicorn's workers, read from /proc while the load runs."""

import subprocess
import threading
from pathlib import Path


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                         check=False).stdout
    return [int(p) for p in out.split()]


def status_kib(pid: int, field: str) -> int | None:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in KiB; None if the process left."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


class WorkerMemory:
    """Samples each worker's RSS every `interval` seconds; `peaks()` adds the kernel's own
    high-water mark (VmHWM), which also catches spikes between samples."""

    def __init__(self, master_pid: int, interval: float = 0.2):
        self.master_pid, self.interval = master_pid, interval
        self.sampled: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        for pid in children(self.master_pid):
            rss = status_kib(pid, "VmRSS")
            if rss is not None:
                self.sampled[pid] = max(rss, self.sampled.get(pid, 0))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def peaks(self) -> dict[str, dict[str, float]]:
        """Per worker: the highest sampled RSS and VmHWM, in MB (10^6 bytes)."""
        self.sample()
        out = {}
        for pid, rss in sorted(self.sampled.items()):
            hwm = status_kib(pid, "VmHWM")
            out[str(pid)] = {"max_sampled_rss_mb": round(rss * 1024 / 1e6, 1),
                             "peak_rss_mb": round(max(hwm or 0, rss) * 1024 / 1e6, 1)}
        return out
