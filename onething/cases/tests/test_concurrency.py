"""Races: the same Idempotency-Key, case numbers, two reviewers on one task, sibling tasks decided
at once (real transactions)."""

import threading

import pytest
from django.db import connection

from onething.cases import selectors, services
from onething.cases.constants import CaseStatus, TaskStatus
from onething.cases.models import Case
from onething.common.errors import Conflict
from onething.common.validators import make_credit_code

from .conftest import _persona, body

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def race(fn, n=THREADS):
    barrier, results = threading.Barrier(n), []

    def run(i):
        try:
            barrier.wait()
            results.append(("ok", fn(i)))
        except Exception as exc:  # the outcome under test, whatever it is
            results.append(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_same_key_at_once_makes_one_case(alice, upload):
    data = body({"application_form": upload(alice)})
    results = race(lambda i: services.case_submit(user=alice, data=data, idempotency_key="same"))
    assert Case.objects.count() == 1
    number = Case.objects.get().number
    oks = [r for kind, r in results if kind == "ok"]
    errors = [r for kind, r in results if kind == "error"]
    assert sum(created for _, created in oks) == 1
    assert all(case.number == number for case, _ in oks)
    assert all(isinstance(e, Conflict) for e in errors), errors


def test_numbers_are_unique_under_concurrency(alice, upload):
    data = body({"application_form": upload(alice)})
    results = race(
        lambda i: services.case_submit(user=alice, data=data, idempotency_key=f"k{i}")[0].number
    )
    numbers = [r for kind, r in results if kind == "ok"]
    assert len(numbers) == THREADS, results
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, THREADS + 1))


def test_two_reviewers_deciding_one_task_exactly_one_wins(alice, carol, mark, submit):
    other = _persona("mary", "dept_reviewer", kind="market", display_name="玛丽")
    case = submit(alice)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    task = selectors.tasks_of(case)[0]
    users = [mark, other]
    results = race(
        lambda i: services.task_decide(
            task_id=task.pk, actor=users[i], decision="approve" if i else "refuse", opinion="决定"
        ),
        n=2,
    )
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    assert isinstance(next(r for k, r in results if k == "error"), Conflict)
    task.refresh_from_db()
    winner = next(r for k, r in results if k == "ok")
    assert task.status == winner.status


def test_two_departments_approving_sibling_tasks_at_once_both_succeed(
    alice, carol, mark, fred, upload
):
    # Found by bench/soak: each decision locked its task, then the case, then every task of
    # the case, so two siblings decided at once deadlocked on PostgreSQL.
    files = {m: upload(alice) for m in ("application_form", "fire_plan")}
    data = body(files, answers={"big": "yes", "own_premises": "no"})
    case, _ = services.case_submit(user=alice, data=data)
    services.case_accept(number=case.number, actor=carol, decision="accept_with_tolerance")
    registration = selectors.tasks_of(case)[0]
    services.task_decide(
        task_id=registration.pk,
        actor=mark,
        decision="approve",
        opinion="准予",
        result={"credit_code": make_credit_code("420102", "12345678")},
    )
    siblings = [t for t in selectors.tasks_of(case) if t.status == TaskStatus.ACTIVE]
    reviewers = {"market": mark, "fire": fred}
    assert sorted(t.department.kind_id for t in siblings) == sorted(reviewers)
    results = race(
        lambda i: services.task_decide(
            task_id=siblings[i].pk,
            actor=reviewers[siblings[i].department.kind_id],
            decision="approve",
            opinion="准予",
        ),
        n=2,
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
