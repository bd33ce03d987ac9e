"""Dashboard benchmark: every supervision panel over 1,000,000 case facts, SQLite and PostgreSQL.

    python bench/dashboard/run.py [--cases 1000000] [--db sqlite,postgres] [--repeat 5] [--seed 2026]

For each database (a fresh SQLite file, a fresh PostgreSQL database) a child process migrates,
loads the regions and the standard catalog, bulk-inserts N deterministic case facts straight
into supervision_casefact (NumPy, one seed), builds the rollups with the same service the
periodic job uses, and times every panel (selectors.panel, the code behind the page, the API
and the export) for three scopes — the province, 武汉市, 江岸区 — with and without a one-thing
filter. It prints p50 and max over --repeat runs (the first, cold run included) and whether
the max meets 500 ms, plus the load, rollup-build and one-month incremental rebuild times.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "onething_bench_dashboard"
LIMIT_MS = 500
COLUMNS = [
    "case_id",
    "number",
    "onething",
    "channel",
    "status",
    "province",
    "city",
    "county",
    "accept_region",
    "cross_region",
    "tolerance",
    "submitted_on",
    "accepted_on",
    "finished_on",
    "deadline",
    "completed",
    "on_time",
    "promised_days",
    "baseline_days",
    "elapsed_days",
    "baseline_visits",
    "planned_visits",
    "visits",
    "baseline_materials",
    "materials",
    "commitments_fulfilled",
    "commitments_breached",
    "commitments_pending",
    "updated_at",
]


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-Atqc", sql], check=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--db", default="sqlite,postgres")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    status = 0
    for db in args.db.split(","):
        env = dict(os.environ, ONETHING_VAR_DIR=tempfile.mkdtemp(prefix="bench-dash-"))
        if db == "postgres":
            psql(f"DROP DATABASE IF EXISTS {PG_DB}")
            psql(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = f"{PG}/{PG_DB}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{env['ONETHING_VAR_DIR']}/bench.sqlite3"
        print(f"\n=== {db}: {args.cases:,} case facts ===", flush=True)
        cmd = [
            sys.executable,
            __file__,
            "--child",
            db,
            "--cases",
            str(args.cases),
            "--repeat",
            str(args.repeat),
            "--seed",
            str(args.seed),
        ]
        status |= subprocess.run(cmd, env=env, cwd=ROOT).returncode
    return status


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")
    import django

    django.setup()


def child(args) -> int:
    setup_django()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    from onething.accounts import services as accounts
    from onething.catalog import services as catalog

    accounts.regions_load()
    catalog.catalog_import(path=settings.CATALOG_DIR)
    print(f"migrate + regions + catalog: {time.perf_counter() - t:.1f} s", flush=True)
    seed_facts(args.cases, args.seed)
    return measure(args.repeat)


# ---- data ---------------------------------------------------------------------------------


def _plan():
    """Regions (Wuhan weighted up) and one-things with their catalog figures."""
    from onething.accounts.models import Region
    from onething.catalog import selectors as catalog
    from onething.supervision.facts import region_path

    leaves = [r.code for r in Region.objects.all() if not r.children.exists()]
    weights = [5.0 if code.startswith("4201") else 1.0 for code in leaves]
    things = []
    for s in catalog.summaries():
        bp = catalog.blueprint(catalog.version_latest(s["code"]))
        red = bp["reductions"]
        things.append((s["code"], bp["process"]["promised_days"], red["before"], red["after"]))
    return leaves, weights, [region_path(c) for c in leaves], things


def rows(n: int, seed: int, plan):
    import numpy as np

    leaves, weights, paths, things = plan
    rng = np.random.default_rng(seed)
    today = date.today()
    region = rng.choice(len(leaves), n, p=np.array(weights) / sum(weights))
    zipf = 1 / np.arange(1, len(things) + 1)
    thing = rng.choice(len(things), n, p=zipf / zipf.sum())
    channel = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    status = rng.choice(5, n, p=[0.80, 0.04, 0.01, 0.12, 0.03])
    age = rng.integers(0, 365, n)
    stretch = rng.uniform(0.3, 1.3, n)
    cross, tol, breach = rng.random(n) < 0.08, rng.random(n) < 0.15, rng.random(n) < 0.1
    names = ["portal", "window", "api"]
    statuses = ["completed", "refused", "rejected", "processing", "submitted"]
    for i in range(n):
        code, promised, before, after = things[thing[i]]
        province, city, county = paths[region[i]]
        st = statuses[status[i]]
        submitted = today - timedelta(days=int(age[i]))
        accepted = submitted + timedelta(days=1) if st != "submitted" else None
        elapsed = max(int(promised * stretch[i]), 0) if st == "completed" else None
        finished = (
            accepted + timedelta(days=int((elapsed or 0) * 1.4))
            if st in statuses[:3] and accepted
            else None
        )
        done = st == "completed"
        visits = (1 + (i % 5 == 0)) if names[channel[i]] == "window" else 0
        t = bool(tol[i])
        yield (
            i + 1,
            f"{leaves[region[i]]}-B-{i + 1:07d}",
            code,
            names[channel[i]],
            st,
            province,
            city,
            county,
            "420106" if cross[i] else leaves[region[i]],
            bool(cross[i]),
            t,
            submitted,
            accepted,
            finished,
            accepted + timedelta(days=int(promised * 1.4)) if accepted else None,
            done,
            bool(done and elapsed <= promised),
            promised,
            before["time"],
            elapsed,
            before["visits"],
            after["visits"],
            visits,
            before["materials"],
            after["materials"],
            int(t and not breach[i]),
            int(t and bool(breach[i])),
            0,
            "2026-01-01 00:00:00+00:00",
        )


def seed_facts(n: int, seed: int) -> None:
    from django.db import connection

    t = time.perf_counter()
    cols = ", ".join(COLUMNS)
    plan = _plan()  # read before COPY starts: the connection is busy until it ends
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY supervision_casefact ({cols}) FROM STDIN") as copy:
                for row in rows(n, seed, plan):
                    copy.write_row(row)
            cur.execute("ANALYZE supervision_casefact")
        else:
            marks = ", ".join("?" * len(COLUMNS))
            sql = f"INSERT INTO supervision_casefact ({cols}) VALUES ({marks})"
            batch = []
            for row in rows(n, seed, plan):
                batch.append(tuple(str(v) if isinstance(v, date) else v for v in row))
                if len(batch) == 20000:
                    cur.executemany(sql, batch)
                    batch = []
            cur.executemany(sql, batch)
            cur.execute("ANALYZE")
    print(f"bulk insert of {n:,} facts: {time.perf_counter() - t:.1f} s", flush=True)
    from onething.supervision import services

    t = time.perf_counter()
    built = services.rollups_rebuild_all()
    print(
        f"rollups from facts: {built:,} month rows in {time.perf_counter() - t:.1f} s", flush=True
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t = time.perf_counter()
    services.rollup_month(month=date.today())
    print(f"incremental rebuild of the current month: {time.perf_counter() - t:.2f} s", flush=True)


# ---- timing -------------------------------------------------------------------------------


def supervisors():
    from onething.accounts import services
    from onething.accounts.models import Region

    made = {}
    for name, code in (("province", "420000"), ("wuhan", "420100"), ("jiangan", "420102")):
        made[code] = services.user_create(
            username=f"bench_{name}",
            password="Bench-Passw0rd!",
            role="supervisor",
            region=Region.objects.get(code=code),
        )
    return made


def measure(repeat: int) -> int:
    from onething.catalog import selectors as catalog
    from onething.supervision import selectors

    users = supervisors()
    top = catalog.summaries()[0]["code"]
    scenarios = [(code, "") for code in users] + [("420100", top)]
    results, worst = [], 0.0
    for code, onething in scenarios:
        f = selectors.filters_parse(users[code], {"region": code, "onething": onething})
        for key in selectors.PANEL_FUNCS:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                selectors.panel(f, key)
                times.append((time.perf_counter() - t) * 1000)
            results.append((f.region.name + (f" · {onething}" if onething else ""), key, times))
            worst = max(worst, max(times))
    print(f"\n{'scope':<34} {'panel':<13} {'p50 ms':>8} {'max ms':>8}  < {LIMIT_MS} ms")
    for scope, key, times in results:
        ok = "yes" if max(times) < LIMIT_MS else "NO"
        print(f"{scope:<34} {key:<13} {statistics.median(times):8.1f} {max(times):8.1f}  {ok}")
    all_ok = worst < LIMIT_MS
    print(
        f"\nslowest panel run: {worst:.1f} ms — {'all panels meet' if all_ok else 'NOT all panels meet'} {LIMIT_MS} ms"
    )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
