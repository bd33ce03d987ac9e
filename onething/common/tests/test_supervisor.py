"""`onething run`'s supervisor against real processes: restarts, stops, and the server's death."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# A child that records its pid, lives for argv[2] seconds, then exits with argv[3].
CHILD = "import os,sys,time; open(sys.argv[1],'a').write(f'{os.getpid()}\\n'); time.sleep(float(sys.argv[2])); sys.exit(int(sys.argv[3]))"  # noqa: E501
# The same, deaf to SIGTERM.
DEAF = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); " + CHILD


def _supervisor(tmp_path: Path, web: tuple, worker: tuple, **options) -> subprocess.Popen:
    """The supervisor in its own process (signal handlers are per process), with two children."""

    def argv(spec, name):
        code, seconds, rc = spec
        return [sys.executable, "-c", code, str(tmp_path / name), str(seconds), str(rc)]

    script = textwrap.dedent(f"""
        import sys
        from onething.common.supervisor import Program, Supervisor
        sys.exit(Supervisor([Program("web", {argv(web, "web")!r}),
                             Program("worker", {argv(worker, "worker")!r}, restart=True)],
                            **{options!r}).run())
    """)
    return subprocess.Popen(
        [sys.executable, "-c", script], stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _pids(tmp_path: Path, name: str) -> list[int]:
    path = tmp_path / name
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie (exited, not yet reaped by its new parent) is gone too.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


@pytest.fixture
def cleanup():
    started = []
    yield started.append
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_crashed_worker_is_restarted_with_back_off_and_sigterm_stops_both(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 60, 0), (CHILD, 0, 3), backoff_min=0.1, backoff_max=0.4)
    cleanup(sup)
    _wait(lambda: len(_pids(tmp_path, "worker")) >= 4)
    web = _pids(tmp_path, "web")
    assert len(web) == 1 and not _gone(web[0])  # the server was left alone
    sup.send_signal(signal.SIGTERM)
    assert sup.wait(timeout=30) == 0
    log = sup.stderr.read()
    assert "worker 意外退出（退出码 3），0.1 秒后重启" in log
    assert "0.2 秒后重启" in log and "0.4 秒后重启" in log  # doubling, capped at backoff_max
    assert all(_gone(pid) for pid in web + _pids(tmp_path, "worker"))


def test_sigint_stops_both_children_and_exits_zero(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 60, 0), (CHILD, 60, 0))
    cleanup(sup)
    _wait(lambda: _pids(tmp_path, "web") and _pids(tmp_path, "worker"))
    sup.send_signal(signal.SIGINT)
    assert sup.wait(timeout=30) == 0
    assert "收到 SIGINT" in sup.stderr.read()
    assert _gone(_pids(tmp_path, "web")[0]) and _gone(_pids(tmp_path, "worker")[0])


def test_the_server_dying_stops_the_worker_and_exits_non_zero(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 1, 0), (CHILD, 60, 0))
    cleanup(sup)
    assert sup.wait(timeout=30) == 1  # even a clean exit of the server is a failure of the run
    assert "web 已退出（退出码 0），停止全部进程" in sup.stderr.read()
    assert _gone(_pids(tmp_path, "worker")[0])


def test_the_servers_own_exit_code_is_kept(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 0, 4), (CHILD, 60, 0))
    cleanup(sup)
    assert sup.wait(timeout=30) == 4


def test_a_child_deaf_to_sigterm_is_killed_after_the_grace_period(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 60, 0), (DEAF, 60, 0), grace=0.5)
    cleanup(sup)
    _wait(lambda: _pids(tmp_path, "web") and _pids(tmp_path, "worker"))
    sup.send_signal(signal.SIGTERM)
    assert sup.wait(timeout=30) == 0
    assert "worker 未在 0.5 秒内退出，强制结束" in sup.stderr.read()
    assert _gone(_pids(tmp_path, "worker")[0])


def test_children_end_when_the_supervisor_is_killed_outright(tmp_path, cleanup):
    sup = _supervisor(tmp_path, (CHILD, 60, 0), (CHILD, 60, 0))
    cleanup(sup)
    _wait(lambda: _pids(tmp_path, "web") and _pids(tmp_path, "worker"))
    sup.kill()  # SIGKILL: no cleanup runs; the kernel's parent-death signal ends the children
    sup.wait()
    pids = _pids(tmp_path, "web") + _pids(tmp_path, "worker")
    _wait(lambda: all(_gone(pid) for pid in pids), timeout=10)


def test_the_demo_department_systems_join_the_run_restarted_like_the_worker(tmp_path, monkeypatch):
    from onething.common import supervisor

    monkeypatch.setenv("ONETHING_VAR_DIR", str(tmp_path))
    names = [p.name for p in supervisor.product(host="127.0.0.1", port=8000, workers=1)]
    assert names == ["网站", "后台任务进程"]  # no dept-sim file: no department systems
    entries = [{"code": "jiangan-fire", "port": 8001}, {"code": "jiangan-water", "port": 8002}]
    (tmp_path / supervisor.DEPT_SIMS).write_text(__import__("json").dumps(entries))
    programs = supervisor.product(host="127.0.0.1", port=8000, workers=1)
    sims = programs[2:]
    assert [p.restart for p in sims] == [True, True]
    assert sims[0].argv[-4:] == [
        "--config",
        str(tmp_path / supervisor.DEPT_SIMS),
        "--system",
        "jiangan-fire",
    ]
    assert "8002" in sims[1].name
    assert len(supervisor.product(host="127.0.0.1", port=8000, workers=1, sims=False)) == 2
