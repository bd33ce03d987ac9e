"""Intake benchmark: concurrent clients submitting cases over HTTP to `onething serve` (gunicorn).

    python bench/intake/run.py [--seconds 8] [--workers N] [--levels 1,8,32] [--db postgres,sqlite]

For each database (a fresh PostgreSQL database and a fresh SQLite file) it migrates, loads the mini
catalog with one applicant per client, starts gunicorn on a free loopback port and, at 1, 8 and 32
concurrent clients, submits cases (POST /api/cases, each with its own Idempotency-Key) for a fixed
time. It prints submissions/s, p50 and p99 latency, and the CPU one submission cost the server
(gunicorn and its workers) and PostgreSQL (all its processes: measure on a quiet host). On PostgreSQL it measures the row writes one
submission makes (pg_stat_database) and runs pgbench with a transaction of the same number of row
writes at the same concurrency, printing its TPS and our ratio to it.
"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import (  # noqa: E402
    BIN,
    PG,
    ROOT,
    free_port,
    machine_line,
    percentile,
    postgres_cpu,
    psql,
    server_cpu,
    stop,
    wait_for_port,
)

PG_DB = os.environ.get("BENCH_INTAKE_DB", "onething_bench_intake")  # one per concurrent checkout


def prepare(db: str, clients: int, var: Path) -> tuple[dict, list]:
    env = {
        **os.environ,
        "ONETHING_VAR_DIR": str(var),
        "ONETHING_DEMO": "1",
        "ONETHING_LOG_LEVEL": "ERROR",
    }
    if db == "postgres":
        psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"{PG}/{PG_DB}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    subprocess.run([BIN / "onething", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    out = subprocess.run(
        [BIN / "python", ROOT / "bench/intake/setup_data.py", str(clients)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return env, json.loads(out.strip().splitlines()[-1])


def serve(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [
        BIN / "onething",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, proc)
    return proc, port


def body(user: dict) -> bytes:
    return json.dumps(
        {
            "onething": "mini-restaurant",
            "answers": {"big": "no", "own_premises": "yes"},
            "form": {
                "business_name": "压测小馆",
                "area": 60,
                "applicant_name": user["name"],
                "applicant_id_number": user["id_number"],
            },
            "materials": [{"material": m, "file_id": f} for m, f in user["files"].items()],
            "channel": "api",
        }
    ).encode()


def client(port: int, user: dict, tag: str, stop: float, latencies: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload, n = body(user), 0
    while time.perf_counter() < stop:
        n += 1
        headers = {
            "Authorization": f"Bearer {user['token']}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"{tag}-{n}",
        }
        start = time.perf_counter()
        conn.request("POST", "/api/cases", payload, headers)
        res = conn.getresponse()
        res.read()
        latencies.append(time.perf_counter() - start)
        if res.status != 201:
            errors.append(res.status)
    conn.close()


def level(port: int, users: list, clients: int, seconds: float, tag: str) -> dict:
    latencies, errors = [], []
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(
            target=client, args=(port, users[i], f"{tag}-{i}", stop, latencies, errors)
        )
        for i in range(clients)
    ]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies)
    return {
        "clients": clients,
        "submissions": len(ms),
        "errors": len(errors),
        "per_second": len(ms) / elapsed,
        "p50": statistics.median(ms) if ms else 0,
        "p99": percentile(ms, 0.99),
    }


def pg_writes() -> int:
    row = psql(
        f"SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database WHERE datname = '{PG_DB}'",
        PG_DB,
    )
    return int(row or 0)


def pgbench(writes: int, clients: int, seconds: int) -> float:
    psql(
        "DROP TABLE IF EXISTS bench_rows; CREATE UNLOGGED TABLE bench_rows (id bigserial primary key, "
        "k text, v jsonb, at timestamptz default now())",
        PG_DB,
    )
    psql("ALTER TABLE bench_rows SET LOGGED", PG_DB)
    script = Path(tempfile.mkstemp(suffix=".sql")[1])
    lines = (
        ["BEGIN;"]
        + ["INSERT INTO bench_rows (k, v) VALUES (:client_id, '{\"a\": 1}');"] * writes
        + ["END;"]
    )
    script.write_text("\n".join(lines) + "\n")
    cmd = [
        "pgbench",
        "-n",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 4)),
        "-T",
        str(seconds),
        "-f",
        str(script),
        f"{PG}/{PG_DB}",
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    script.unlink()
    tps = next(line for line in out.splitlines() if line.startswith("tps"))
    return float(tps.split("=")[1].split()[0])


def bench(db: str, args) -> None:
    var = Path(tempfile.mkdtemp(prefix=f"onething-bench-{db}-"))
    clients = max(args.levels)
    env, users = prepare(db, clients, var)
    proc, port = serve(env, args.workers)
    try:
        level(port, users, min(4, clients), 2, "warm")  # warm caches and connections
        print(f"\n== {db} (gunicorn {args.workers} workers, {args.seconds:.0f} s per level) ==")
        print(
            f"{'clients':>8} {'subm/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
            f"  {'server CPU ms':>13} {'postgres CPU ms':>15}"
            + ("  pgbench TPS   ratio" if db == "postgres" else "")
        )
        for n in args.levels:
            before = pg_writes() if db == "postgres" else 0
            server0, postgres0 = server_cpu(proc.pid), postgres_cpu()
            r = level(port, users, n, args.seconds, f"c{n}")
            done = max(r["submissions"], 1)
            server_ms = (server_cpu(proc.pid) - server0) * 1000 / done
            postgres_ms = (postgres_cpu() - postgres0) * 1000 / done
            line = (
                f"{n:>8} {r['per_second']:>9.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7}"
                f"  {server_ms:>13.2f} {postgres_ms:>15.2f}"
            )
            if db == "postgres":
                time.sleep(0.7)  # statistics are flushed to pg_stat_database at most every 500 ms
                writes = round((pg_writes() - before) / done)
                tps = pgbench(writes, n, int(args.seconds))
                line += f"  {tps:>9.1f} ({writes} rows)  {r['per_second'] / tps:.3f}"
            print(line, flush=True)
    finally:
        stop(proc)
        if db == "postgres":
            psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        shutil.rmtree(var, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--workers", type=int, default=max(4, 2 * (os.cpu_count() or 1) + 1))
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--db", default="postgres,sqlite")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    print(machine_line("intake benchmark"))
    for db in args.db.split(","):
        bench(db, args)


if __name__ == "__main__":
    main()
