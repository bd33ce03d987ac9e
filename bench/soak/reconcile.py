"""After the traffic: wait for the worker to drain, then compare what the clients were told with
what the database holds. Call after ``django.setup()``; the database is the soak's own, so every
row in it came from the soak."""

import subprocess
import time
from collections import Counter, defaultdict

ACCEPTED_VERBS = {
    "case.accepted": "accept",
    "case.accepted_with_tolerance": "accept_with_tolerance",
}


def backlog() -> dict:
    """What the worker still owes: due jobs, unsealed audit rows, unsent messages, stale facts."""
    from django.db.models import Q
    from django.utils import timezone

    from onething.cases.models import Case
    from onething.common.models import AuditRecord, Job, Outbox
    from onething.supervision.models import CaseFact

    due = Q(status=Job.Status.QUEUED, run_after__lte=timezone.now()) | Q(status=Job.Status.RUNNING)
    facts = dict(CaseFact.objects.values_list("case_id", "status"))
    return {
        "jobs due": Job.objects.filter(due).count(),
        "unsealed audit rows": AuditRecord.objects.filter(seq__isnull=True).count(),
        "unsent outbox": Outbox.objects.filter(sent_at__isnull=True).count(),
        "stale case facts": sum(
            facts.get(pk) != status for pk, status in Case.objects.values_list("pk", "status")
        ),
    }


def drain(timeout: float) -> tuple[float, dict]:
    """Seconds until the worker owed nothing (or the timeout), and what was left."""
    began = time.monotonic()
    while True:
        left = backlog()
        if not any(left.values()) or time.monotonic() - began > timeout:
            return time.monotonic() - began, left
        time.sleep(1)


class Report:
    def __init__(self):
        self.lines: list[tuple[bool, str]] = []

    def check(self, ok: bool, text: str, problems=()) -> None:
        problems = list(problems)
        detail = f" — {len(problems)} problems, e.g. {problems[:3]}" if problems else ""
        self.lines.append((ok and not problems, text + detail))

    @property
    def ok(self) -> bool:
        return all(ok for ok, _ in self.lines)


def run(ledger, env: dict, onething_bin: str) -> Report:
    from onething.cases.models import Case

    report = Report()
    cases = {
        c.number: c
        for c in Case.objects.only(
            "pk", "number", "status", "tolerance", "blueprint", "accepted_at", "applicant_id"
        )
    }
    _submissions(report, ledger, cases)
    tasks = _tasks(report, ledger, cases)
    _events(report, cases, tasks)
    _documents_and_licences(report, cases, tasks)
    _messages(report, cases)
    _worker(report)
    _audit(report, env, onething_bin)
    return report


def _submissions(report: Report, ledger, cases: dict) -> None:
    from onething.cases.models import IdempotencyKey

    numbers = list(ledger.submissions.values())
    keys = {
        (u, k): (status, number)
        for u, k, status, number in IdempotencyKey.objects.values_list(
            "user__username", "key", "status", "case__number"
        )
    }
    problems = [n for n, c in Counter(numbers).items() if c > 1]
    problems += [f"{n} missing" for n in numbers if n not in cases]
    problems += [f"{n} not acknowledged" for n in set(cases) - set(numbers)]
    problems += [
        f"key {k}: {keys.get((u, k))}"
        for (u, k), n in ledger.submissions.items()
        if keys.get((u, k)) != ("done", n)
    ]
    problems += [
        f"replay {k} → {n}" for u, k, n in ledger.replays if ledger.submissions.get((u, k)) != n
    ]
    report.check(
        True,
        f"submissions: {len(numbers)} answered 201 and {len(ledger.replays)} replays answered 200 "
        f"with the same case; {len(cases)} cases in the database, each once by number and by "
        f"idempotency key",
        problems,
    )


def _tasks(report: Report, ledger, cases: dict) -> dict:
    from onething.cases.models import Task

    tasks = defaultdict(list)
    for row in Task.objects.values("id", "case__number", "item", "status", "result_type", "result"):
        tasks[row["case__number"]].append(row)
    accepted = {n for n, c in cases.items() if c.accepted_at is not None}
    problems = [f"{n} accepted without a 200" for n in accepted - set(ledger.accepted)]
    problems += [f"{n} 200 but not accepted" for n in set(ledger.accepted) - accepted]
    for number, case in cases.items():
        want = sorted(i["code"] for i in case.blueprint["items"])
        have = sorted(t["item"] for t in tasks[number])
        if have != (want if number in accepted else []):
            problems.append(f"{number} tasks {have} ≠ {want}")
        decision = ledger.accepted.get(number)
        if decision and case.tolerance != (decision == "accept_with_tolerance"):
            problems.append(f"{number} tolerance {case.tolerance} after {decision}")
        if number in ledger.tolerance_asked and decision == "accept":
            problems.append(f"{number} had a commitment but was accepted without tolerance")
    n_tasks = sum(len(v) for v in tasks.values())
    report.check(
        True,
        f"acceptance: {len(accepted)} cases accepted ({sum(c.tolerance for c in cases.values())} "
        f"with tolerance), each with exactly the {n_tasks} tasks its blueprint requires; "
        f"{len(cases) - len(accepted)} still waiting at the window with none",
        problems,
    )
    approved = {t["id"] for rows in tasks.values() for t in rows if t["status"] == "approved"}
    problems = [f"task {t} approved without a 200" for t in approved - set(ledger.approved)]
    problems += [f"task {t} 200 but not approved" for t in set(ledger.approved) - approved]
    completed = {n for n, c in cases.items() if c.status == "completed"}
    all_done = {
        n for n, rows in tasks.items() if rows and all(t["status"] == "approved" for t in rows)
    }
    problems += [f"{n} completed ≠ all tasks approved" for n in completed ^ all_done]
    report.check(
        True,
        f"decisions: {len(approved)} tasks approved, each answered 200 once; {len(completed)} "
        f"cases completed, exactly those with every task approved",
        problems,
    )
    return tasks


def _events(report: Report, cases: dict, tasks: dict) -> None:
    from onething.common.models import Event

    by_case = defaultdict(Counter)
    by_task = defaultdict(Counter)
    number_of = {str(c.pk): n for n, c in cases.items()}
    rows = Event.objects.filter(object_type="cases.case").values_list("object_id", "verb", "data")
    total = 0
    for object_id, verb, data in rows:
        total += 1
        by_case[number_of.get(object_id, f"?{object_id}")][verb] += 1
        if verb.startswith("task.") and "task" in data:
            by_task[data["task"]][verb] += 1
    problems = [f"events of unknown case {n}" for n in by_case if n.startswith("?")]
    for number, case in cases.items():
        seen = by_case[number]
        accepted = sum(seen[v] for v in ACCEPTED_VERBS)
        expect = {
            "case.submitted": 1,
            "accepted": 1 if case.accepted_at else 0,
            "case.completed": 1 if case.status == "completed" else 0,
        }
        got = {
            "case.submitted": seen["case.submitted"],
            "accepted": accepted,
            "case.completed": seen["case.completed"],
        }
        if got != expect:
            problems.append(f"{number} {got}")
        for t in tasks[number]:
            want = {
                "task.started": 0 if t["status"] == "waiting" else 1,
                "task.approved": 1 if t["status"] == "approved" else 0,
            }
            have = {v: by_task[t["id"]][v] for v in want}
            if have != want:
                problems.append(f"{number} task {t['item']} {have}")
    report.check(
        True,
        f"events: {total} on cases; every case has one submitted event, one acceptance event once "
        f"accepted, one started/approved event per started/approved task, one completed event "
        f"once completed",
        problems,
    )


def _documents_and_licences(report: Report, cases: dict, tasks: dict) -> None:
    from onething.cases.models import Document
    from onething.registry.models import License

    docs = Counter(Document.objects.values_list("case__number", "kind"))
    problems = []
    for number, case in cases.items():
        approved = sum(t["status"] == "approved" for t in tasks[number])
        want = (1 if case.accepted_at else 0, approved)
        have = (docs[(number, "acceptance")], docs[(number, "approval")])
        if want != have:
            problems.append(f"{number} documents {have} ≠ {want}")
    licences = Counter(
        License.objects.exclude(case_number="").values_list("case_number", "license_type_id")
    )
    identifiers = set(License.objects.exclude(case_number="").values_list("identifier", flat=True))
    expected = 0
    for number, rows in tasks.items():
        for t in rows:
            if t["status"] == "approved" and t["result_type"]:
                expected += 1
                if licences[(number, t["result_type"])] != 1:
                    problems.append(
                        f"{number} {t['result_type']} ×{licences[(number, t['result_type'])]}"
                    )
                if t["result"].get("license") not in identifiers:
                    problems.append(f"{number} task {t['item']} names an unknown licence")
    report.check(
        True,
        f"documents and licences: one sealed acceptance notice per accepted case, one decision per "
        f"approved task; {expected} licences issued, one per approved task with a result",
        problems,
    )


def _messages(report: Report, cases: dict) -> None:
    from django.db.models import Count

    from onething.common.models import Job, Message, Outbox

    keys = Counter(
        Message.objects.filter(dedup_key__startswith="case:").values_list("dedup_key", flat=True)
    )
    problems = []
    for case in cases.values():
        want = {
            "submitted": 1,
            "accepted": 1 if case.accepted_at else 0,
            "completed": 1 if case.status == "completed" else 0,
        }
        have = {k: keys[f"case:{case.pk}:{k}"] for k in want}
        if have != want:
            problems.append(f"{case.number} messages {have}")
    for model in (Message, Outbox, Job):
        dup = model.objects.values("dedup_key").annotate(n=Count("id")).filter(n__gt=1).count()
        if dup:
            problems.append(f"{model.__name__}: {dup} duplicated de-duplication keys")
    report.check(
        True,
        f"notifications: {Message.objects.count()} in-app messages, {Outbox.objects.count()} outbox "
        f"rows ({Outbox.objects.filter(sent_at__isnull=False).count()} sent); each case's "
        f"submitted/accepted/completed message exactly once; no de-duplication key twice",
        problems,
    )


def _worker(report: Report) -> None:
    from django.db.models import Count

    from onething.common.models import Job

    left = backlog()
    failed = list(Job.objects.filter(status=Job.Status.FAILED).values_list("name", "last_error"))
    done = dict(
        Job.objects.filter(status=Job.Status.DONE)
        .values_list("name")
        .annotate(n=Count("id"))
        .values_list("name", "n")
    )
    runs = ", ".join(f"{name} {n}" for name, n in sorted(done.items()))
    report.check(
        True,
        f"worker: drained ({', '.join(f'{k} {v}' for k, v in left.items())}); jobs done: {runs}; "
        f"{len(failed)} failed",
        [f"{k}={v}" for k, v in left.items() if v]
        + [f"{n}: {e.splitlines()[-1]}" for n, e in failed],
    )


def _audit(report: Report, env: dict, onething_bin: str) -> None:
    out = subprocess.run(
        [onething_bin, "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    text = (out.stdout + out.stderr).strip().splitlines()
    report.check(
        out.returncode == 0, f"onething audit verify: {text[-1] if text else out.returncode}"
    )
