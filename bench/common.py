"""Pieces the HTTP benchmarks share: loopback ports, PostgreSQL databases, servers, latencies.

Run scripts put the repository root on ``sys.path`` and import ``bench.common``.
"""

import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str, db: str = "postgres", server: str = PG) -> str:
    cmd = ["psql", f"{server}/{db}", "-Atqc", sql]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 90) -> None:
    """Until the server accepts connections; fails early when the process has already died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM (gunicorn and the worker finish the request or job in hand), then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = min(max(1, math.ceil(share * len(sorted_values))), len(sorted_values))
    return sorted_values[rank - 1]


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_line(name: str) -> str:
    return (
        f"{name} · {os.cpu_count()} CPUs · load average {load_average()} · "
        f"Python {sys.version.split()[0]}"
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 when unknown or gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stat(path: Path) -> list[str]:
    return path.read_text().rsplit(")", 1)[1].split()


def _cpu_with_reaped(fields: list[str]) -> float:
    # utime + stime + the CPU of children this process has reaped (cutime + cstime).
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int) -> float:
    """CPU seconds of a server process and all its descendants, living or already exited."""
    try:
        own = _cpu_with_reaped(_stat(Path(f"/proc/{pid}/stat")))
    except (OSError, IndexError):
        return 0.0
    return own + sum(server_cpu(child) for child in children(pid))


def postgres_cpu() -> float:
    """CPU seconds of every local PostgreSQL process so far; a backend that has exited counts
    through the postmaster's reaped-children time. Other databases' load counts too: measure on a
    quiet host."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().split("(", 1)[1].startswith("postgres)"):
                total += _cpu_with_reaped(_stat(stat))
        except (OSError, IndexError):
            continue
    return total


def children(pid: int) -> list[int]:
    """Direct child processes (gunicorn's workers of its master), from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out
