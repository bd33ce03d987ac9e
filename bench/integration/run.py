"""Dispatches and callbacks through the reference department system, on PostgreSQL.

    .venv/bin/python bench/integration/run.py [--tasks 1000] [--rate 1000] [--drivers 1]
                                              [--workers 2] [--web-workers 2] [--timeout 900]

A fresh database gets the mini catalog (食品经营许可 decided by the system ``sim-market``),
``--tasks`` accepted cases and the system. Then, measured: the market bureau approves each
case's registration in onething at up to ``--rate`` per minute (``--drivers`` reviewers side by
side); each approval starts the food licence task, whose dispatch leaves through the outbox
(``onething worker`` processes); the reference system (``onething dept-sim --delay 0``) stores
it and calls back ``received`` and ``approved`` (with the licence data) to ``onething serve``
(gunicorn). The run ends when every case is completed or at ``--timeout``; then it reconciles:
every dispatch delivered once, every callback applied once, one food licence per case, nothing
lost, nothing duplicated.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import BIN, PG, machine_line, percentile, psql, stop, wait_for_port  # noqa: E402

DB = "onething_integration_bench"
SECRET = "whsec_YmVuY2gtY2FsbGJhY2stc2VjcmV0LTAxMjM0NTY3ODk="
SIGNING_KEY = "whsec_YmVuY2gtc2lnbmluZy1rZXktZm9yLWRpc3BhdGNoZXM="


def free_port(skip: int = 0) -> int:
    """A free port in this bench's range (8750-8799; the tests use the lower half)."""
    import socket

    for port in range(8750, 8800):
        if port == skip:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 8750-8799")


def env(web_port: int, var: Path) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"{PG}/{DB}",
        "ONETHING_VAR_DIR": str(var),
        "ONETHING_PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "DJANGO_SETTINGS_MODULE": "onething.settings",
        "ONETHING_LOG_LEVEL": "ERROR",
    }


def django_here():
    import django

    django.setup()


# ---- in-process phases (run as subprocesses with the bench environment) --------------------


def setup(tasks: int, sim_url: str) -> None:
    django_here()
    import shutil
    import tempfile
    from datetime import date

    from onething.accounts import services as accounts
    from onething.cases import services as cases
    from onething.catalog import services as catalog
    from onething.common.validators import make_id_number
    from onething.integration.models import System
    from onething.registry import services as registry
    from onething.testing import MINI, _persona

    accounts.regions_load()
    target = Path(tempfile.mkdtemp()) / "mini"
    shutil.copytree(MINI, target)
    path = target / "items" / "market.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  fields: [business_name, applicant_name, area]\n",
        "  fields: [business_name, applicant_name, area]\n  decided_by: sim-market\n",
    )
    path.write_text(text, encoding="utf-8")
    catalog.catalog_import(path=target)
    accounts.departments_ensure()
    System.objects.create(
        code="sim-market",
        name="市场监管业务系统（参考实现）",
        department_kind_id="market",
        base_url=sim_url,
        items=["mini-food-license"],
        secret=SECRET,
        signing_key=SIGNING_KEY,
    )
    clerk = _persona("clerk", "window_clerk", kind="data_bureau")
    _persona("reviewer", "dept_reviewer", kind="market")
    from onething.accounts.models import Department

    market = Department.objects.get(kind_id="market", region_id="420102")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for n in range(tasks):
        # 500 odd sequence numbers a birth date (GB 11643 has three digits for it), then the next day
        born = date(1985, 3, 1) + timedelta(days=n // 500)
        id_number = make_id_number("420102", born, (n % 500) * 2 + 1)
        user = _persona(f"b{n}", "applicant_person", display_name=f"压测{n}", id_number=id_number)
        person = registry.person_create(
            id_number=id_number, name=f"压测{n}", household_region_id="420102"
        )
        registry.license_issue(license_type="id_card", department=market, data={}, person=person)
        files = [
            {
                "material": m,
                "file_id": str(cases.upload_create(owner=user, name=f"{m}.pdf", chunks=[pdf]).pk),
            }
            for m in ("application_form", "lease_contract")
        ]
        case, _ = cases.case_submit(
            user=user,
            data={
                "onething": "mini-restaurant",
                "answers": {"big": "no", "own_premises": "no"},
                "form": {"business_name": f"压测小馆{n}", "area": 80},
                "materials": files,
                "channel": "portal",
            },
        )
        cases.case_accept(number=case.number, actor=clerk, decision="accept")


def drive(rate: float, shard: int = 0, shards: int = 1) -> None:
    """Approve this shard's open registrations at up to ``rate`` per minute (each starts a
    dispatch). Several drivers run side by side, as several reviewers do."""
    django_here()
    from onething.accounts.models import User
    from onething.cases import services as cases
    from onething.cases.models import Task
    from onething.common.validators import make_credit_code

    reviewer = User.objects.get(username="reviewer")
    active = Task.objects.filter(item="mini-registration", status="active").order_by("pk")
    # By id, not by position: the drivers start at different moments, while others approve.
    ids = [pk for pk in active.values_list("pk", flat=True) if pk % shards == shard]
    start, gap = time.monotonic(), 60.0 / rate
    for n, pk in enumerate(ids):
        wait = start + n * gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        cases.task_decide(
            task_id=pk,
            actor=reviewer,
            decision="approve",
            opinion="同意",
            result={
                "credit_code": make_credit_code("420102", f"{n * shards + shard + 10000000:08d}")
            },
        )
    print(json.dumps({"approved": len(ids), "seconds": round(time.monotonic() - start, 1)}))


def figures(sim_state: dict) -> dict:
    django_here()
    from django.db.models import Count

    from onething.cases.models import Case, Task
    from onething.integration.models import Delivery, Inbound
    from onething.registry.models import License

    deliveries = list(
        Delivery.objects.values_list(
            "link__ref", "created_at", "delivered_at", "status", "attempts"
        )
    )
    received = {ref: t["received_at"] for ref, t in sim_state["tasks"].items()}
    latency = sorted(
        received[str(ref)] - created.timestamp()
        for ref, created, _, _, _ in deliveries
        if str(ref) in received
    )
    applied = sorted(Inbound.objects.filter(status="applied").values_list("applied_at", flat=True))
    sent = sorted(d[1] for d in deliveries)

    def per_minute(stamps):
        if len(stamps) < 2:
            return 0.0
        return round(len(stamps) * 60 / max((stamps[-1] - stamps[0]).total_seconds(), 1e-9), 1)

    inbound = (
        Inbound.objects.values("link_id", "seq").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    food = Task.objects.filter(item="mini-food-license")
    licences = License.objects.filter(license_type_id="food_license")
    return {
        "cases": Case.objects.count(),
        "completed": Case.objects.filter(status="completed").count(),
        "food_tasks": food.count(),
        "food_approved": food.filter(status="approved").count(),
        "deliveries": len(deliveries),
        "delivered": sum(1 for d in deliveries if d[3] == "delivered"),
        "delivery_attempts": sum(d[4] for d in deliveries),
        "dispatches_received_by_sim": sim_state["stats"]["dispatches"],
        "sim_duplicate_dispatches": sim_state["stats"]["duplicates"],
        "callbacks_sent": sim_state["stats"]["callbacks_sent"],
        "callbacks_failed": sim_state["stats"]["callbacks_failed"],
        "callbacks_applied": len(applied),
        "inbound_duplicated_seq": inbound,
        "food_licences": licences.count(),
        "licences_per_case_max": max(
            licences.values("case_number").annotate(n=Count("id")).values_list("n", flat=True),
            default=0,
        ),
        "dispatches_per_minute": per_minute(sent),
        "callbacks_applied_per_minute": per_minute(applied),
        "dispatch_latency_p50_s": round(percentile(latency, 0.5), 3),
        "dispatch_latency_p99_s": round(percentile(latency, 0.99), 3),
        "dispatch_latency_max_s": round(latency[-1], 3) if latency else 0,
    }


def sample() -> None:
    """One dispatch as the outbox holds it (decrypted), for the baseline's raw round trips."""
    django_here()
    from onething.integration.models import Delivery

    print(json.dumps(Delivery.objects.order_by("created_at").first().body, ensure_ascii=False))


def baseline(sim_url: str, event: dict, n: int) -> dict:
    """The same message, signed and POSTed straight to the reference system n times, one after
    the other: the HTTP round trip that the pipeline's latency is measured against. Each copy has
    a fresh id and subject and no material links, and the system is muted first, so it stores the
    copies without fetching or calling back (the measured run's books stay closed)."""
    import urllib.request
    import uuid

    from onething.integration import signing

    urllib.request.urlopen(
        urllib.request.Request(sim_url + "/_control", data=b'{"mute": true}'), timeout=30
    ).read()
    materials = [{k: v for k, v in m.items() if k != "url"} for m in event["data"]["materials"]]
    times = []
    started = time.monotonic()
    for _ in range(n):
        copy = {
            **event,
            "id": uuid.uuid4().hex,
            "subject": str(uuid.uuid4()),
            "data": {**event["data"], "materials": materials},
        }
        body = signing.encode(copy)
        headers = signing.headers(SIGNING_KEY, copy["id"], body)
        t = time.monotonic()
        req = urllib.request.Request(sim_url + "/events", data=body, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
        times.append(time.monotonic() - t)
    times.sort()
    return {
        "messages": n,
        "bytes": len(body),
        "round_trip_p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "round_trip_p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "per_minute": round(n * 60 / (time.monotonic() - started), 1),
    }


# ---- the orchestrator ----------------------------------------------------------------------


def _sim_state(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url + "/_state", timeout=30) as r:
        return json.loads(r.read())


def _run(args, e, *extra, capture=False):
    cmd = [sys.executable, __file__, *extra]
    return subprocess.run(cmd, env=e, check=True, capture_output=capture, text=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--rate", type=float, default=1000.0, help="registrations approved per minute")
    p.add_argument("--drivers", type=int, default=1, help="approving processes side by side")
    p.add_argument("--shard", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--web-workers", type=int, default=2)
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument("--phase", default="")
    p.add_argument("--sim", default="")
    args = p.parse_args()
    if args.phase == "setup":
        return setup(args.tasks, args.sim)
    if args.phase == "drive":
        return drive(args.rate, args.shard, args.drivers)
    if args.phase == "sample":
        return sample()
    if args.phase == "figures":
        return print(json.dumps(figures(json.loads(sys.stdin.read()))))
    orchestrate(args)


def orchestrate(args) -> None:
    var = Path(f"/tmp/onething-integration-bench-{os.getpid()}")
    var.mkdir(parents=True, exist_ok=True)
    web = free_port()
    e = env(web, var)
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    subprocess.run([str(BIN / "onething"), "migrate", "-v", "0"], env=e, check=True)
    simport = free_port(skip=web)
    sim_url = f"http://127.0.0.1:{simport}"
    t0 = time.monotonic()
    _run(args, e, "--phase", "setup", "--tasks", str(args.tasks), "--sim", sim_url)
    setup_s = time.monotonic() - t0
    procs = [
        subprocess.Popen(
            [
                str(BIN / "onething"),
                "dept-sim",
                "--port",
                str(simport),
                "--secret",
                SECRET,
                "--signing-key",
                SIGNING_KEY,
                "--delay",
                "0",
            ],
            env=e,
            stdout=subprocess.DEVNULL,
        )
    ]
    procs.append(
        subprocess.Popen(
            [
                str(BIN / "onething"),
                "serve",
                "--port",
                str(web),
                "--workers",
                str(args.web_workers),
            ],
            env=e,
            stdout=subprocess.DEVNULL,
        )
    )
    wait_for_port(simport, procs[0], 60)
    wait_for_port(web, procs[1], 60)
    procs += [
        subprocess.Popen([str(BIN / "onething"), "worker", "--poll", "0.05"], env=e)
        for _ in range(args.workers)
    ]
    try:
        t1 = time.monotonic()
        drove = _drive(args, e)
        while time.monotonic() - t1 < args.timeout:
            done = psql("SELECT count(*) FROM cases_case WHERE status = 'completed'", DB)
            if int(done) >= args.tasks:
                break
            time.sleep(1)
        wall = time.monotonic() - t1
        time.sleep(2)  # late duplicates, if any, would land now
        state = _sim_state(sim_url)
        event = json.loads(_run(args, e, "--phase", "sample", capture=True).stdout)
        raw = baseline(sim_url, event, min(max(args.tasks, 50), 500))
    finally:
        for proc in reversed(procs):
            stop(proc)
    out = _run_figures(e, state)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_line("integration"),
        "tasks": args.tasks,
        "rate": args.rate,
        "workers": args.workers,
        "web_workers": args.web_workers,
        "setup_seconds": round(setup_s, 1),
        "drive": drove,
        "wall_seconds": round(wall, 1),
        **out,
    }
    result["lost"] = args.tasks - out["food_approved"]
    result["duplicated"] = out["inbound_duplicated_seq"] + max(out["licences_per_case_max"] - 1, 0)
    result["baseline_raw_http"] = raw
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(
        f"dispatch latency task start → system receipt: p50 {result['dispatch_latency_p50_s'] * 1000:.0f} ms, "
        f"p99 {result['dispatch_latency_p99_s'] * 1000:.0f} ms (goal p99 < 2000 ms) | baseline, the same "
        f"message POSTed raw: p50 {raw['round_trip_p50_ms']} ms, p99 {raw['round_trip_p99_ms']} ms\n"
        f"throughput: {result['dispatches_per_minute']} dispatches/min, "
        f"{result['callbacks_applied_per_minute']} callbacks applied/min (goal 1000 each) | baseline "
        f"{raw['per_minute']} raw POSTs/min, one client | lost {result['lost']}, duplicated {result['duplicated']}"
    )
    with (Path(__file__).parent / "results.jsonl").open("a") as f:
        f.write(json.dumps(result, ensure_ascii=False) + "\n")


def _drive(args, e) -> dict:
    """``--drivers`` processes approving side by side, each a share of the cases and the rate."""
    share = str(args.rate / args.drivers)
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        "drive",
        "--rate",
        share,
        "--drivers",
        str(args.drivers),
    ]
    procs = [
        subprocess.Popen([*cmd, "--shard", str(n)], env=e, stdout=subprocess.PIPE, text=True)
        for n in range(args.drivers)
    ]
    outs = [json.loads(proc.communicate()[0]) for proc in procs]
    if any(proc.returncode for proc in procs):
        raise SystemExit("a driver failed")
    return {
        "drivers": args.drivers,
        "approved": sum(o["approved"] for o in outs),
        "seconds": max(o["seconds"] for o in outs),
    }


def _run_figures(e, state) -> dict:
    cmd = [sys.executable, __file__, "--phase", "figures"]
    done = subprocess.run(
        cmd, env=e, input=json.dumps(state), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


if __name__ == "__main__":
    main()
