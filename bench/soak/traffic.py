"""The soak's HTTP clients: applicants, window clerks, reviewers and a supervisor, one thread each,
each with its own connection and token (gunicorn's sync workers close it after every answer;
``http.client`` opens a new one). Plain ``http.client``: no Django here.

Every call is timed under an operation name and classed as ok, an expected conflict (a 409 from
two clerks or two reviewers racing for the same case or task, as docs/cases.md documents) or an
error (anything else, including a replay that returned a different case). The ``Ledger`` keeps
what the clients were told, for the reconciliation afterwards.
"""

import http.client
import json
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

PANELS = ["overview", "by_onething", "by_region", "by_channel", "by_day", "timeliness", "warnings"]
REGISTRATION = "market-individual-registration"
# Client-side bounds on work in flight: applicants wait (outside any timing) while the window
# or the departments are this far behind, so the run stays a steady state rather than a flood.
PENDING_PER_CLERK, OPEN_TASKS_PER_REVIEWER = 10, 25
HOLD_SECONDS = 0.05


@dataclass
class Ledger:
    """What the clients were told, for the reconciliation."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    submissions: dict = field(default_factory=dict)  # (username, key) → number (201)
    replays: list = field(default_factory=list)  # (username, key, number) answered 200
    accepted: dict = field(default_factory=dict)  # number → decision
    tolerance_asked: set = field(default_factory=set)  # numbers submitted with a commitment
    approved: dict = field(default_factory=dict)  # task id → number
    pending: int = 0  # submitted, not accepted yet
    open_tasks: int = 0  # created by acceptances, not approved yet
    waits: int = 0  # times an applicant held back for HOLD_SECONDS

    def submitted(self, username: str, key: str, number: str, tolerance: bool) -> None:
        with self.lock:
            self.submissions[(username, key)] = number
            self.pending += 1
            if tolerance:
                self.tolerance_asked.add(number)

    def accept(self, number: str, decision: str, tasks: int) -> None:
        with self.lock:
            self.accepted[number] = decision
            self.pending -= 1
            self.open_tasks += tasks

    def approve(self, task_id: int, number: str) -> None:
        with self.lock:
            self.approved[task_id] = number
            self.open_tasks -= 1


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    conflicts: dict = field(default_factory=lambda: defaultdict(int))
    errors: dict = field(default_factory=lambda: defaultdict(int))
    samples: list = field(default_factory=list)  # the first few errors, to print

    def record(self, op: str, seconds: float, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.latencies[op].append(seconds)
            if outcome == "conflict":
                self.conflicts[op] += 1
            elif outcome == "error":
                self.errors[op] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{op}: {detail}")

    def error(self, op: str, detail: str) -> None:
        """A wrong answer found after the call was timed (e.g. a replay naming another case)."""
        with self.lock:
            self.errors[op] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{op}: {detail}")


class Client:
    def __init__(self, port: int, token: str, stats: Stats):
        self.port, self.token, self.stats = port, token, stats
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op, method, path, body=None, *, ok=(200,), conflict=(), headers=None):
        """(status, parsed JSON or None); the latency and outcome are recorded under ``op``."""
        head = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if isinstance(body, dict):
            body, head["Content-Type"] = json.dumps(body).encode(), "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body, head)
            res = self.conn.getresponse()
            raw = res.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.record(
                op, time.perf_counter() - start, "error", f"{type(exc).__name__} {exc}"
            )
            self.conn.close()  # the next request opens a new connection
            return None, None
        elapsed = time.perf_counter() - start
        outcome = "ok" if res.status in ok else "conflict" if res.status in conflict else "error"
        self.stats.record(
            op,
            elapsed,
            outcome,
            f"{res.status} {' '.join(raw[:600].decode(errors='replace').split())[:200]}",
        )
        try:
            data = json.loads(raw) if raw and "json" in res.getheader("Content-Type", "") else None
        except ValueError:
            data = None
        return res.status, data

    def close(self) -> None:
        self.conn.close()


def multipart(name: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return (
        head + content + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


@dataclass
class World:
    port: int
    data: dict
    stats: Stats
    ledger: Ledger
    stop_at: float = 0.0
    phase: str = ""
    replay_share: float = 0.1
    tolerance_share: float = 0.3

    def running(self) -> bool:
        return time.perf_counter() < self.stop_at

    def backlog_high(self) -> bool:
        clerks, reviewers = len(self.data["clerks"]), len(self.data["reviewers"])
        with self.ledger.lock:
            return (
                self.ledger.pending >= PENDING_PER_CLERK * clerks
                or self.ledger.open_tasks >= OPEN_TASKS_PER_REVIEWER * reviewers
            )


# ---- applicants ------------------------------------------------------------------------------


def applicant(world: World, people: list[dict], seed: int) -> None:
    rng, clients = (
        random.Random(seed),
        [Client(world.port, p["token"], world.stats) for p in people],
    )
    mine: list[tuple[Client, str]] = []
    n = 0
    while world.running():
        if world.backlog_high():
            with world.ledger.lock:
                world.ledger.waits += 1
            time.sleep(HOLD_SECONDS)
            continue
        n += 1
        who = n % len(people)
        number = submit(world, clients[who], people[who], rng, f"soak-{world.phase}-{seed}-{n}")
        if number:
            mine.append((clients[who], number))
        if mine and rng.random() < 0.3:  # the applicant checks on an earlier application
            client, earlier = rng.choice(mine)
            client.call("applicant.view", "GET", f"/api/cases/{earlier}")
    for c in clients:
        c.close()


def submit(world: World, client: Client, person: dict, rng: random.Random, key: str) -> str | None:
    variant = rng.choice(world.data["variants"])
    pdf = b"%PDF-1.4\n% " + key.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    body, ctype = multipart("lease.pdf", pdf, "application/pdf")
    status, upload = client.call(
        "applicant.upload", "POST", "/api/files", body, ok=(201,), headers={"Content-Type": ctype}
    )
    if status != 201:
        return None
    tolerance = bool(variant["committable"]) and rng.random() < world.tolerance_share
    committed = set(variant["committable"]) if tolerance else set()
    files = {**person["files"], "premises_proof": upload["id"]}
    payload = {
        "onething": world.data["onething"],
        "answers": variant["answers"],
        "form": form_for(variant, person, rng),
        "materials": [
            {"material": m, "file_id": files[m]} for m in variant["uploads"] if m not in committed
        ],
        "commitments": [
            {"material": m, "due_date": (date.today() + timedelta(days=30)).isoformat()}
            for m in sorted(committed)
        ],
        "channel": "api",
    }
    head = {"Idempotency-Key": key}
    status, case = client.call(
        "applicant.submit", "POST", "/api/cases", payload, ok=(201,), headers=head
    )
    if status != 201:
        return None
    world.ledger.submitted(person["username"], key, case["number"], tolerance)
    if rng.random() < world.replay_share:  # a client that lost the answer and sends it again
        status, again = client.call(
            "applicant.replay", "POST", "/api/cases", payload, ok=(200,), headers=head
        )
        if status == 200:
            if again["number"] != case["number"]:
                world.stats.error(
                    "applicant.replay", f"{key}: {again['number']} ≠ {case['number']}"
                )
            with world.ledger.lock:
                world.ledger.replays.append((person["username"], key, again["number"]))
    return case["number"]


def form_for(variant: dict, person: dict, rng: random.Random) -> dict:
    values = {
        **person["identity"],
        "business_scope": "小吃服务；预包装食品销售",
        "premises_area": rng.randint(20, 300),
        "food_business_items": "热食类食品制售",
        "seat_count": rng.randint(4, 120),
        "sign_content": person["identity"]["enterprise_name"],
        "sign_size": "4×0.8",
        "discharge_volume": rng.randint(1, 20),
    }
    return {k: values[k] for k in variant["fields"]}


# ---- window clerks ---------------------------------------------------------------------------


def clerk(world: World, person: dict, seed: int, batch: int = 5) -> None:
    rng, client = random.Random(seed), Client(world.port, person["token"], world.stats)
    while world.running():
        status, queue = client.call("clerk.queue", "GET", "/api/cases?status=submitted")
        if status != 200 or not queue:
            time.sleep(0.2)
            continue
        oldest = queue[::-1][: batch * 2]
        for brief in rng.sample(oldest, min(batch, len(oldest))):
            if not world.running():
                break
            accept(world, client, brief["number"])
    client.close()


def accept(world: World, client: Client, number: str) -> None:
    status, case = client.call("clerk.view", "GET", f"/api/cases/{number}")
    if status != 200 or case["status"] != "submitted":
        return
    decision = "accept_with_tolerance" if case["commitments"] else "accept"
    status, case = client.call(
        "clerk.accept",
        "POST",
        f"/api/cases/{number}/acceptance",
        {"decision": decision},
        conflict=(409,),
    )
    if status == 200:
        world.ledger.accept(number, decision, len(case["tasks"]))


# ---- department reviewers --------------------------------------------------------------------


def reviewer(world: World, person: dict, seed: int, batch: int = 5) -> None:
    rng, client = random.Random(seed), Client(world.port, person["token"], world.stats)
    while world.running():
        status, tasks = client.call("reviewer.queue", "GET", "/api/tasks")
        active = [t for t in tasks or [] if t["status"] == "active"]
        if status != 200 or not active:
            time.sleep(0.2)
            continue
        nearest = active[: batch * 2]
        for task in rng.sample(nearest, min(batch, len(nearest))):
            if not world.running():
                break
            approve(world, client, task)
    client.close()


def approve(world: World, client: Client, task: dict) -> None:
    form = task["data"].get("form", {})
    result = {}
    if task["item"] == REGISTRATION:  # the business licence's face: what the next form reads
        result = {
            "credit_code": form.get("enterprise_credit_code"),
            "name": form.get("enterprise_name"),
            "address": form.get("premises_address"),
        }
    body = {"decision": "approve", "opinion": "符合法定条件，准予", "result": result}
    status, _ = client.call(
        "reviewer.approve", "POST", f"/api/tasks/{task['id']}/decision", body, conflict=(409,)
    )
    if status == 200:
        world.ledger.approve(task["id"], task["case"])


# ---- supervisor ------------------------------------------------------------------------------


def supervisor(world: World, person: dict, seed: int) -> None:
    rng, client = random.Random(seed), Client(world.port, person["token"], world.stats)
    while world.running():
        for key in rng.sample(PANELS, rng.randint(2, 3)):
            client.call("supervisor.panel", "GET", f"/api/supervision/panels/{key}")
        client.call("supervisor.cases", "GET", "/api/cases")
        client.call("supervisor.warnings", "GET", "/api/supervision/warnings")
    client.close()


def threads_for(world: World, clients: int) -> list[threading.Thread]:
    """Staff first (a supervisor, the clerks, one thread per reviewer), applicants for the rest."""
    data = world.data
    staff = [(supervisor, data["supervisor"])]
    staff += [(clerk, c) for c in data["clerks"]] + [(reviewer, r) for r in data["reviewers"]]
    if clients < len(staff) + 1:
        raise SystemExit(
            f"--clients must be at least {len(staff) + 1} ({len(staff)} staff threads + applicants)"
        )
    applicant_threads = clients - len(staff)
    out = [threading.Thread(target=fn, args=(world, who, n)) for n, (fn, who) in enumerate(staff)]
    for n in range(applicant_threads):
        people = data["applicants"][n::applicant_threads]
        out.append(threading.Thread(target=applicant, args=(world, people, 100 + n)))
    return out
