"""The product as it ships: a fresh database, `onething setup` (migrate, demo load), `onething run`.

Nothing here imports the product: every step is the command a person types after a clone, run as
a separate process with its own database, so what the journeys see is what `make run` serves.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "onething.cli"]
FIRST_PAGE_TIMEOUT = 180  # seconds; the server imports everything, the worker starts beside it


@dataclass
class Product:
    url: str
    logs: Path
    env: dict
    timings: dict = field(default_factory=dict)
    procs: list = field(default_factory=list)

    def tail(self, lines: int = 60) -> str:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"----- {log.name} (last {len(text)} lines) -----\n" + "\n".join(text))
        return "\n".join(out)

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """Run `onething <args>` against this product's database (as an operator would)."""
        return subprocess.run(
            [*CLI, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url(base: str) -> str:
    """A database of the journeys' own beside the configured one, dropped and created afresh."""
    import psycopg

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'onething'}_journeys"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def environment(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_ALLOW"))}
    env.update(
        PYTHONPATH=str(ROOT),
        ONETHING_VAR_DIR=str(tmp / "var"),
        DJANGO_SETTINGS_MODULE="onething.settings",
        PYTHONUNBUFFERED="1",
    )
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = postgres_url(base)
    else:
        env.pop("DATABASE_URL", None)
    return env


def step(product: Product, name: str, *args: str, timeout: float = 1800) -> None:
    """Run one command to the end; each `==> …` line it prints starts a timed phase."""
    started = phase_start = time.monotonic()
    phase = name
    with open(product.logs / f"{name}.log", "w") as log:
        proc = subprocess.Popen(
            [*CLI, *args],
            env=product.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in proc.stdout:
            log.write(line)
            log.flush()
            if line.startswith("==> "):
                now = time.monotonic()
                if phase != name:
                    product.timings[phase] = now - phase_start
                phase, phase_start = line[4:].strip().rstrip("…").split("（")[0], now
            if time.monotonic() - started > timeout:
                proc.kill()
        code = proc.wait()
    if phase != name:
        product.timings[phase] = time.monotonic() - phase_start
    product.timings[name] = time.monotonic() - started
    if code:
        raise RuntimeError(f"`onething {' '.join(args)}` exited {code}\n{product.tail()}")


def start(product: Product, *args: str, name: str) -> subprocess.Popen:
    log = open(product.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [*CLI, *args],
        env=product.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: teardown ends gunicorn's workers too
    )
    product.procs.append((proc, log))
    return proc


def wait_first_page(product: Product) -> None:
    started, deadline = time.monotonic(), time.monotonic() + FIRST_PAGE_TIMEOUT
    while time.monotonic() < deadline:
        for proc, _ in product.procs:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"process {proc.args} exited {proc.returncode}\n{product.tail()}"
                )
        try:
            if requests.get(product.url + "/", timeout=5).status_code == 200:
                product.timings["first page"] = time.monotonic() - started
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no first page within {FIRST_PAGE_TIMEOUT} s\n{product.tail()}")


def stop(product: Product) -> None:
    for proc, _ in product.procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc, log in product.procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # Whatever the supervisor left behind in its group goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    var = product.env.get("ONETHING_VAR_DIR")
    if product.procs and var:  # the database and uploads go; the logs stay for a look
        shutil.rmtree(var, ignore_errors=True)


def launch() -> Product:
    tmp = Path(tempfile.mkdtemp(prefix="onething-journeys-"))
    (tmp / "logs").mkdir()
    product = Product(url="", logs=tmp / "logs", env=environment(tmp))
    port = free_port()
    product.url = f"http://127.0.0.1:{port}"
    # The demo's department systems run beside it on ports of their own and reach it (materials,
    # callbacks) at its public address: both are settled before the demo load records them.
    product.env["ONETHING_PUBLIC_BASE_URL"] = product.url
    product.env["ONETHING_DEPT_SIM_PORTS"] = f"{free_port()},{free_port()}"
    step(product, "setup", "setup")  # what `make run` runs first: migrate, demo load, demo users
    start(product, "run", "--host", "127.0.0.1", "--port", str(port), name="run")
    try:
        wait_first_page(product)
    except BaseException:
        stop(product)
        raise
    return product


def attach(url: str) -> Product:
    """A product someone started by hand (same ONETHING_VAR_DIR / DATABASE_URL in this shell)."""
    logs = Path(tempfile.mkdtemp(prefix="onething-journeys-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "onething.settings"}
    return Product(url=url.rstrip("/"), logs=logs, env=env)
