"""The supervisor behind `onething run`: the web server, the worker and (in the demo) the
reference department systems as child processes.

Our own rather than honcho or circus because the rules are few and specific: honcho ends
everything when any process exits (so it cannot restart a crashed worker), circus brings a
ZeroMQ daemon for two processes. The rules:

- Ctrl-C or SIGTERM: every child gets SIGTERM, is given ``grace`` seconds, then SIGKILL; exit 0.
- A ``restart`` program (the worker) that exits is started again after a back-off that doubles
  from ``backoff_min`` to ``backoff_max`` seconds and resets once it has run ``stable_after``.
- Any other program (the web server) that exits ends the run: the others are stopped and the
  exit is non-zero.

Each child leads its own process group (so a terminal's Ctrl-C reaches the supervisor only, and
stopping a child stops its own children, gunicorn's workers) and is asked by the kernel to
terminate if the supervisor dies without cleaning up (PR_SET_PDEATHSIG, Linux).
"""

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1


@dataclass
class Program:
    name: str
    argv: list[str]
    restart: bool = False
    proc: subprocess.Popen | None = field(default=None, repr=False)
    started: float = 0.0
    failures: int = 0
    due: float | None = None  # when a restart is due (monotonic seconds)


def _child_setup() -> None:  # runs in the child between fork and exec
    os.setsid()
    # Not Linux (no prctl): the supervisor's own shutdown still applies.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(
        self,
        programs: list[Program],
        *,
        grace: float = 10.0,
        backoff_min: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        tick: float = 0.2,
        out=None,
    ):
        self.programs = programs
        self.grace, self.tick = grace, tick
        self.backoff_min, self.backoff_max, self.stable_after = (
            backoff_min,
            backoff_max,
            stable_after,
        )
        self.out = out or sys.stderr
        self.stop_signal: int | None = None

    def say(self, text: str) -> None:
        print(f"[onething run] {text}", file=self.out, flush=True)

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        for program in self.programs:
            self._start(program)
        code = 0
        while self.stop_signal is None and not code:
            time.sleep(self.tick)
            code = self._check()
        if self.stop_signal is not None:
            self.say(f"收到 {signal.Signals(self.stop_signal).name}，正在停止全部进程")
        self._stop_all()
        return code

    def _on_signal(self, signum, frame) -> None:
        self.stop_signal = signum

    def _start(self, program: Program) -> None:
        program.proc = subprocess.Popen(program.argv, preexec_fn=_child_setup)
        program.started, program.due = time.monotonic(), None
        self.say(f"{program.name} 已启动（pid {program.proc.pid}）")

    def _check(self) -> int:
        """Handle exited children; a non-zero return ends the run with that code."""
        now = time.monotonic()
        for program in self.programs:
            if program.proc is None:
                if program.due is not None and now >= program.due:
                    self._start(program)
                continue
            rc = program.proc.poll()
            if rc is None:
                continue
            program.proc = None
            if not program.restart:
                self.say(f"{program.name} 已退出（退出码 {rc}），停止全部进程")
                return rc if rc > 0 else 1
            self._schedule_restart(program, rc, now)
        return 0

    def _schedule_restart(self, program: Program, rc: int, now: float) -> None:
        if now - program.started >= self.stable_after:
            program.failures = 0
        program.failures += 1
        delay = min(self.backoff_max, self.backoff_min * 2 ** (program.failures - 1))
        program.due = now + delay
        self.say(f"{program.name} 意外退出（退出码 {rc}），{delay:g} 秒后重启")

    def _stop_all(self) -> None:
        running = [p for p in self.programs if p.proc is not None]
        for program in running:
            _signal_group(program.proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for program in running:
            try:
                program.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{program.name} 未在 {self.grace:g} 秒内退出，强制结束")
                _signal_group(program.proc, signal.SIGKILL)
                program.proc.wait()
            self.say(f"{program.name} 已停止")
            program.proc = None


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


DEPT_SIMS = "dept-sims.json"  # in ONETHING_VAR_DIR, written by the demo load


def var_dir() -> Path:
    """settings.VAR_DIR without loading Django (the same rule as onething.settings)."""
    return Path(os.environ.get("ONETHING_VAR_DIR", Path(__file__).resolve().parents[2] / "var"))


def dept_sims(cli: list[str]) -> list[Program]:
    """The demo's reference department systems, one process each, restarted like the worker."""
    path = var_dir() / DEPT_SIMS
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [
        Program(
            f"部门业务系统 {e['code']}（端口 {e['port']}）",
            [*cli, "dept-sim", "--config", str(path), "--system", e["code"]],
            restart=True,
        )
        for e in entries
        if e.get("code") and e.get("port")
    ]


def product(*, host: str, port: int, workers: int, sims: bool = True) -> list[Program]:
    """`onething run`'s programs. Children re-enter through the console entry point's module
    with this interpreter, so they see the same environment (DATABASE_URL, ONETHING_VAR_DIR)."""
    cli = [sys.executable, "-m", "onething.cli"]
    web = [*cli, "serve", "--host", host, "--port", str(port), "--workers", str(workers)]
    programs = [Program("网站", web), Program("后台任务进程", [*cli, "worker"], restart=True)]
    return programs + (dept_sims(cli) if sims else [])


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=3, help="网站的 gunicorn 进程数")
    parser.add_argument(
        "--no-dept-sims",
        dest="sims",
        action="store_false",
        help="不启动演示用的参考部门业务系统（onething dept-sim）",
    )


def main(argv: list[str]) -> int:
    """`onething run …` without loading Django here: only the children need it (saves ~3 s)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="onething run",
        description="启动整个产品：网站（gunicorn）与后台任务进程，由一个监管进程看护"
        "（Ctrl-C 同时停止两者）",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return Supervisor(
        product(host=args.host, port=args.port, workers=args.workers, sims=args.sims)
    ).run()
