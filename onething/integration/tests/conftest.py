"""The reference department system as a real peer: a subprocess on a free port (8700-8799),
onething served by the live server, the mini restaurant's food licence decided by the sim."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from onething.cases.tests.conftest import (  # noqa: F401 - fixtures used by name
    alice,
    media,
    submit,
    upload,
)
from onething.testing import MINI

SECRET = "whsec_c2ltLXNlY3JldC1mb3ItY2FsbGJhY2tzLTAxMjM0NTY3ODk="
SIGNING_KEY = "whsec_b25ldGhpbmctc2lnbmluZy1rZXktZm9yLWRpc3BhdGNoZXM="
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def catalog(mini_catalog, tmp_path):
    """The mini catalog with the lease contract tolerated and the food licence decided by
    the market bureau's system ``sim-market``."""
    from onething.catalog import services

    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    path = target / "items" / "market.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.rsplit("tolerance: []", 1)
    text = head + "tolerance: [lease_contract]" + tail
    text = text.replace(
        "  fields: [business_name, applicant_name, area]\n",
        "  fields: [business_name, applicant_name, area]\n  decided_by: sim-market\n",
    )
    path.write_text(text, encoding="utf-8")
    services.catalog_import(path=target)
    return target


def free_port() -> int:
    for port in range(8700 + os.getpid() % 50, 8800):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 8700-8799")


class SimProcess:
    def __init__(self, onething: str):
        self.onething, self.port, self.proc = onething, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **control) -> "SimProcess":
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "onething.cli",
                "dept-sim",
                "--port",
                str(self.port),
                "--secret",
                SECRET,
                "--signing-key",
                SIGNING_KEY,
                "--onething",
                self.onething,
                "--delay",
                "0.1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 180  # a loaded 2-core machine starts Python slowly
        while time.monotonic() < deadline:
            try:
                self.state()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("dept-sim did not start")
        if control:
            self.control(**control)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def _call(self, path: str, data: dict | None = None) -> dict:
        body = json.dumps(data).encode() if data is not None else None
        with urllib.request.urlopen(
            urllib.request.Request(self.url + path, data=body), timeout=5
        ) as r:
            return json.loads(r.read())

    def control(self, **values) -> dict:
        return self._call("/_control", values)

    def state(self) -> dict:
        return self._call("/_state")


@pytest.fixture
def sim(live_server, settings):
    settings.ONETHING_PUBLIC_BASE_URL = live_server.url
    settings.ONETHING_INTEGRATION = {
        "RETRY_BASE_SECONDS": 0.05,
        "RETRY_CAP_SECONDS": 0.2,
        "MAX_ATTEMPTS": 10,
        "UNREACHABLE_AFTER": 3,
        "MATERIAL_TOKEN_SECONDS": 900,
        "SILENT_AFTER_SECONDS": 600,
        "TIMEOUT_SECONDS": 30.0,
    }
    # 30 s, not the production 3: on a loaded 2-core machine the peer may answer late, and a POST
    # timed out here but processed there later is a delivery the counting tests did not expect.
    # The live server's first request loads every URL and API module: not the peer's wait.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(live_server.url + "/api/integration/materials/warm-up", timeout=120)
    process = SimProcess(live_server.url).start()
    yield process
    process.stop()


@pytest.fixture
def system(catalog, sim):
    from onething.integration.models import System

    return System.objects.create(
        code="sim-market",
        name="市场监管业务系统（参考实现）",
        department_kind_id="market",
        base_url=sim.url,
        items=["mini-food-license"],
        secret=SECRET,
        signing_key=SIGNING_KEY,
    )


def until(condition, *, timeout: float = 60.0, work: bool = True):
    """Run the worker's due jobs and the sweeper until ``condition()`` holds."""
    from onething.common import jobs
    from onething.integration import services

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if work:
            jobs.run_pending()
            services.deliver_due()
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
