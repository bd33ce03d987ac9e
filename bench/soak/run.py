"""Soak: minutes of mixed traffic over HTTP against PostgreSQL with the worker running, then a
reconciliation of every acknowledged submission.

    python bench/soak/run.py [--seconds 180] [--warmup 15] [--clients 16] [--applicants 48] [--clerks 2]
                             [--workers N] [--database-url postgres://…/onething_soak] [--keep]

A fresh database (dropped and created; default onething_soak on $BENCH_PG) is migrated and loaded
with the regions, the standard catalog and the people of one county (setup_data.py). gunicorn and
`onething worker` run as separate processes. Client threads — applicants submitting 开办餐饮店
(some replaying their Idempotency-Key, some committing a material for later), window clerks
accepting, reviewers of every department involved approving, a supervisor reading dashboard
panels and case lists — run for --seconds. Printed per operation: count, throughput, p50, p99,
expected conflicts and errors; then, once the worker has drained, the reconciliation. The exit
status is non-zero on any error or failed reconciliation line.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import (  # noqa: E402
    BIN,
    PG,
    ROOT,
    children,
    cpu_seconds,
    free_port,
    load_average,
    machine_line,
    percentile,
    psql,
    stop,
    wait_for_port,
)
from bench.soak import traffic  # noqa: E402

DRAIN_SECONDS = 240  # the supervision catch-up runs every 60 s; the audit seal every 10 s


def main() -> int:
    args = arguments()
    print(machine_line("soak"), flush=True)
    url = urlsplit(args.database_url)
    if url.scheme not in ("postgres", "postgresql") or not url.path.strip("/"):
        raise SystemExit("--database-url must name a PostgreSQL database (it is dropped first)")
    server, db = f"{url.scheme}://{url.netloc}", url.path.strip("/")
    var = Path(tempfile.mkdtemp(prefix="onething-soak-"))
    env = {
        **os.environ,
        "ONETHING_VAR_DIR": str(var),
        "ONETHING_DEMO": "1",
        "ONETHING_LOG_LEVEL": "WARNING",
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "onething.settings",
    }
    os.environ.update(env)
    psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", server=server)
    psql(f"CREATE DATABASE {db}", server=server)
    procs: list[subprocess.Popen] = []
    try:
        return soak(args, env, var, procs)
    finally:
        for proc in procs:
            stop(proc)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", server=server)
            shutil.rmtree(var, ignore_errors=True)
        else:
            print(f"kept: {args.database_url}, var dir {var}")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument(
        "--warmup", type=float, default=15, help="seconds of unmeasured traffic first"
    )
    parser.add_argument(
        "--clients", type=int, default=16, help="client threads (staff + applicants)"
    )
    parser.add_argument("--applicants", type=int, default=48, help="applicant accounts")
    parser.add_argument("--clerks", type=int, default=2)
    parser.add_argument("--workers", type=int, default=max(4, 2 * (os.cpu_count() or 1) + 1))
    parser.add_argument("--database-url", default=f"{PG}/onething_soak")
    parser.add_argument("--keep", action="store_true", help="keep the database and var dir")
    return parser.parse_args()


def soak(args, env: dict, var: Path, procs: list) -> int:
    data = prepare(args, env)
    port = start_servers(args, env, var, procs)
    world = traffic.World(port=port, data=data, stats=traffic.Stats(), ledger=traffic.Ledger())
    errors = drive(args, world, procs)
    stop(procs[0])  # no more requests; the worker carries on until it owes nothing
    from bench.soak import reconcile

    waited, left = reconcile.drain(DRAIN_SECONDS)
    print(
        f"\nworker drained in {waited:.0f} s"
        if not any(left.values())
        else f"\nnot drained: {left}"
    )
    result = reconcile.run(world.ledger, env, str(BIN / "onething"))
    print("reconciliation:")
    for ok, line in result.lines:
        print(f"  {'OK  ' if ok else 'FAIL'} {line}")
    stop(procs[1])
    failures = [line for line in (var / "worker.log").read_text().splitlines() if "failed" in line]
    if failures:
        print(f"worker log: {len(failures)} lines about failed jobs, e.g. {failures[0].strip()}")
    print(f"\nload average at end: {load_average()}")
    verdict = "PASS" if errors == 0 and result.ok else "FAIL"
    print(f"soak {verdict}: {errors} errors, reconciliation {'ok' if result.ok else 'FAILED'}")
    return 0 if verdict == "PASS" else 1


def prepare(args, env: dict) -> dict:
    began = time.perf_counter()
    subprocess.run([BIN / "onething", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    migrated = time.perf_counter()
    import django

    django.setup()
    from bench.soak import setup_data

    data = setup_data.build(applicants=args.applicants, clerks=args.clerks)
    reviewers = ", ".join(r["department"] for r in data["reviewers"])
    print(
        f"setup {time.perf_counter() - began:.0f} s (migrate {migrated - began:.0f} s): "
        f"{len(data['applicants'])} applicants, {len(data['clerks'])} clerks, "
        f"{len(data['reviewers'])} reviewers ({reviewers}), 1 supervisor",
        flush=True,
    )
    return data


def start_servers(args, env: dict, var: Path, procs: list) -> int:
    """gunicorn on a free loopback port, then one worker; both appended to ``procs``."""
    port = free_port()
    gunicorn = [
        BIN / "gunicorn",
        "onething.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--timeout",
        "60",
    ]
    for name, cmd in (("gunicorn", gunicorn), ("worker", [BIN / "onething", "worker"])):
        with open(var / f"{name}.log", "w") as log:
            procs.append(
                subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
            )
        if name == "gunicorn":
            wait_for_port(port, procs[0])
    return port


def drive(args, world, procs: list) -> int:
    """The warm-up, then the measured phase with its report; the number of errors in both."""
    staff = len(world.data["clerks"]) + len(world.data["reviewers"]) + 1
    print(
        f"traffic: {args.clients} client threads ({args.clients - staff} applicants) against "
        f"gunicorn ({args.workers} workers) + 1 worker; {args.warmup:.0f} s warm-up, then "
        f"{args.seconds:.0f} s measured",
        flush=True,
    )
    # The first requests of every gunicorn worker import and compile what the rest reuse.
    phase(world, args.clients, args.warmup, "warm-up")
    warm = world.stats
    print(
        f"warm-up: {sum(len(v) for v in warm.latencies.values())} requests, "
        f"{sum(warm.conflicts.values())} conflicts, {sum(warm.errors.values())} errors",
        flush=True,
    )
    for sample in warm.samples:
        print(f"  warm-up error: {sample}")
    world.stats, world.ledger.waits, before = traffic.Stats(), 0, counts(world.ledger)
    servers = {"gunicorn": children(procs[0].pid), "worker": [procs[1].pid]}
    cpu = {name: sum(cpu_seconds(p) for p in pids) for name, pids in servers.items()}
    elapsed = phase(world, args.clients, args.seconds, "measured")
    cpu = {name: sum(cpu_seconds(p) for p in pids) - cpu[name] for name, pids in servers.items()}
    errors = report_traffic(world, elapsed, args.clients - staff, before)
    report_cpu(cpu, elapsed, sum(len(v) for v in world.stats.latencies.values()))
    return errors + sum(warm.errors.values())


def report_cpu(cpu: dict, elapsed: float, requests: int) -> None:
    print(
        f"server CPU while measured: gunicorn {cpu['gunicorn']:.0f} s "
        f"({1000 * cpu['gunicorn'] / max(requests, 1):.0f} ms a request, "
        f"{cpu['gunicorn'] / elapsed:.2f} cores), worker {cpu['worker']:.0f} s "
        f"({cpu['worker'] / elapsed:.2f} cores); PostgreSQL not counted"
    )


def phase(world, clients: int, seconds: float, name: str) -> float:
    """Run the whole mix until ``seconds`` have passed; the elapsed time (last answers included)."""
    world.phase, world.stop_at = name, time.perf_counter() + seconds
    threads = traffic.threads_for(world, clients)
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def counts(ledger) -> tuple[int, int, int]:
    return len(ledger.submissions), len(ledger.accepted), len(ledger.approved)


def report_traffic(world, elapsed: float, applicants: int, before: tuple) -> int:
    stats, ledger = world.stats, world.ledger
    print(
        f"\n{'operation':<20} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'conflicts':>9} {'errors':>6}"
    )
    for op in sorted(stats.latencies):
        ms = sorted(x * 1000 for x in stats.latencies[op])
        print(
            f"{op:<20} {len(ms):>7} {len(ms) / elapsed:>7.1f} {percentile(ms, 0.5):>8.1f} "
            f"{percentile(ms, 0.99):>8.1f} {stats.conflicts[op]:>9} {stats.errors[op]:>6}"
        )
    total = sum(len(v) for v in stats.latencies.values())
    errors = sum(stats.errors.values())
    print(
        f"{'all':<20} {total:>7} {total / elapsed:>7.1f} {'':>8} {'':>8} "
        f"{sum(stats.conflicts.values()):>9} {errors:>6}"
    )
    done = [n - b for n, b in zip(counts(ledger), before, strict=True)]
    held = ledger.waits * traffic.HOLD_SECONDS / (applicants * elapsed)
    print(
        f"in {elapsed:.0f} s: {done[0]} cases submitted ({done[0] / elapsed:.1f}/s), {done[1]} "
        f"accepted, {done[2]} tasks approved; applicants held back {held:.0%} of the time "
        f"(window or departments behind); load average {load_average()}"
    )
    for sample in stats.samples:
        print(f"  error: {sample}")
    return errors


if __name__ == "__main__":
    sys.exit(main())
