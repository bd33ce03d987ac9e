"""Demo: two departments of 开办餐饮店 decide in their own systems, played by the reference
department system (`onething dept-sim`) that `onething run` starts beside the web server.

The catalog names the systems (`decided_by` of fire-public-venue-check and
water-drainage-permit); this creates their rows with fresh keys and writes the dept-sim file
(ports, keys, decision delay, licence templates) that `onething run` reads to start them.
"""

import json
import os

from django.conf import settings
from django.db import transaction

from onething.accounts.models import DepartmentKind, Region
from onething.common import supervisor

from . import signing
from .models import System

DEMO_PORTS = "8001,8002"  # ONETHING_DEPT_SIM_PORTS overrides: "fire-port,water-port"
DELAY = 3.0  # seconds from dispatch to the department's decision ("现场核查")

SYSTEMS = [
    dict(
        code="jiangan-fire",
        name="江岸区消防监督管理系统（参考实现）",
        kind="fire",
        item="fire-public-venue-check",
        result={
            "certificate_number": "江岸消安检字〔{year}〕第{n:04d}号",
            "unit_name": "{enterprise_name}",
            "premises_address": "{premises_address}",
            "area": "{premises_area}平方米",
            "usage": "餐饮",
        },
    ),
    dict(
        code="jiangan-water",
        name="江岸区排水许可管理系统（参考实现）",
        kind="water_authority",
        item="water-drainage-permit",
        result={
            "permit_number": "江岸排水字〔{year}〕第{n:04d}号",
            "holder_name": "{enterprise_name}",
            "address": "{premises_address}",
            "discharge_volume": "{discharge_volume}立方米/日",
        },
    ),
]
REGION = "420102"


def ports() -> list[int]:
    raw = os.environ.get("ONETHING_DEPT_SIM_PORTS", DEMO_PORTS)
    return [int(p) for p in raw.split(",") if p.strip()]


@transaction.atomic
def systems_ensure() -> list[dict]:
    """The two systems' rows (kept if present) and the dept-sim entries that play them."""
    entries = []
    for spec, port in zip(SYSTEMS, ports(), strict=False):
        if not DepartmentKind.objects.filter(code=spec["kind"]).exists():
            continue  # a catalog without the department: nothing to connect
        system = System.objects.filter(code=spec["code"]).first() or System.objects.create(
            code=spec["code"],
            name=spec["name"],
            department_kind_id=spec["kind"],
            region=Region.objects.filter(code=REGION).first(),
            base_url=f"http://127.0.0.1:{port}",
            items=[spec["item"]],
            can_push=True,
            can_poll=False,
            can_status=True,
            secret=signing.new_secret(),
            signing_key=signing.new_secret(),
        )
        entries.append(
            {
                "code": system.code,
                "name": system.name,
                "port": port,
                "secret": system.secret,
                "signing_key": system.signing_key,
                "delay": DELAY,
                "decide": "approve",
                "result": spec["result"],
            }
        )
    return entries


def write_config(entries: list[dict]) -> str:
    """The dept-sim file `onething run` reads; it holds keys, so only its owner may read it."""
    path = settings.VAR_DIR / supervisor.DEPT_SIMS
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(entries, f, ensure_ascii=False, indent=2)
    return str(path)


def load(*, seed: int, stdout) -> None:
    entries = systems_ensure()
    path = write_config(entries)
    ports_text = "、".join(f"{e['name']} 端口 {e['port']}" for e in entries)
    stdout.write(f"部门业务系统：{len(entries)} 个（{ports_text}），配置写入 {path}")
