"""The demo is a complete world: every one-thing of the catalog can be taken from application to
办结 by demo accounts alone, and 12345 tickets and rectifications reach a demo account."""

import re
import traceback

import pytest
from django.conf import settings

from onething.accounts import demo as accounts_demo
from onething.accounts import selectors as accounts_selectors
from onething.accounts.models import Region, User
from onething.cases import selectors as case_selectors
from onething.cases import services as cases
from onething.cases.constants import CaseStatus
from onething.catalog import selectors as catalog

from . import world

pytestmark = pytest.mark.django_db


def _onethings():
    return sorted(p.stem for p in (settings.CATALOG_DIR / "onethings").glob("*.yaml"))


def test_every_department_of_every_one_thing_has_a_demo_account_that_sees_its_tasks(demo_world):
    jiangan = Region.objects.get(code=accounts_demo.DEMO_REGION)
    assert {ot.code for ot in catalog.onethings_visible(region=jiangan)} == set(_onethings())
    accounts = set()
    for code in _onethings():
        for item in catalog.version_latest(code).snapshot["items"]:
            dept = cases.department_for_item(item, jiangan)
            deciders = world.deciders_of(dept)
            assert deciders, f"{code}/{item['code']}：{dept.name} 没有演示审批账号"
            accounts |= set(deciders)
    # Once per account: a password hash costs a deliberate fraction of a second.
    assert all(u.check_password(settings.ONETHING_DEMO_PASSWORD) for u in accounts)


def test_every_one_thing_reaches_banjie_with_demo_accounts_alone(demo_world):
    """Each situation set that together covers all of a one-thing's items, submitted by the
    demo applicant, accepted by demo_clerk, decided by each department's demo account, or by
    the department's own system (the reference system, through the callback path)."""
    clerk, failures, decided = world.user("demo_clerk"), {}, set()
    for code in _onethings():
        try:
            decided |= _to_banjie(code, clerk)
        except Exception as exc:  # noqa: BLE001 - gathered, so one run names every broken one
            where = traceback.extract_tb(exc.__traceback__)[-1]
            failures[code] = (
                f"{type(exc).__name__}: {exc} {getattr(exc, 'fields', '')} @{where.name}"
            )
    assert not failures, failures
    reviewers = {name for name in decided if not name.startswith("system:")}
    assert reviewers and all(name.startswith("demo_") for name in reviewers)
    # 开办餐饮店's fire and water items were decided in their departments' own systems.
    assert {"system:jiangan-fire", "system:jiangan-water"} <= decided


def _to_banjie(code: str, clerk) -> set[str]:
    snapshot = catalog.version_latest(code).snapshot
    applicant = world.user(
        "demo_enterprise" if snapshot["subject"] == "enterprise" else "demo_citizen"
    )
    decided = set()
    for answers in world.answer_sets(snapshot):
        case, _ = cases.case_submit(
            user=applicant, data=world.application(applicant, code, answers)
        )
        assert case in case_selectors.window_queue(clerk)
        cases.case_accept(number=case.number, actor=clerk, decision="accept")
        decided |= set(world.decide_all(case))
        assert case.status == CaseStatus.COMPLETED, f"{answers}：{case.get_status_display()}"
    return decided


def test_tickets_of_every_demo_call_land_where_a_demo_account_signs(demo_world):
    from onething.feedback import demo as feedback_demo
    from onething.feedback import services as feedback

    feedback_demo._rules()
    operator = world.user("demo_hotline")
    kinds = set()
    for name, category, sub, content in feedback_demo.CALLS:
        ticket = feedback.ticket_create(
            actor=operator,
            source="phone",
            contact_name=name,
            contact_phone="13871000111",
            content=content,
            region="420102",
            category=category,
            subcategory=sub,
            location="武汉市江岸区",
            urgency="normal",
        )
        feedback.ticket_transition(ticket_id=ticket.pk, actor=operator, action="dispatch")
        signer = world.deciders_of(ticket.suggested_department)[0]
        signed = feedback.ticket_transition(ticket_id=ticket.pk, actor=signer, action="sign")
        assert signed.status == "signed", content
        kinds.add(ticket.suggested_department.kind_id)
    assert len(kinds) >= 5
    jiangan = Region.objects.get(code="420102")
    for *_, kind in feedback_demo.RULES:  # rules no demo call reaches (政务服务 …) too
        assert world.deciders_of(accounts_selectors.department_for(kind_code=kind, region=jiangan))


def test_rectification_of_a_bad_rating_is_replied_by_a_demo_account_and_checked(demo_world):
    from onething.feedback import services as feedback

    applicant, clerk = world.user("demo_enterprise"), world.user("demo_clerk")
    case, _ = cases.case_submit(user=applicant, data=world.application(applicant, "credit-repair"))
    cases.case_accept(number=case.number, actor=clerk, decision="accept")
    world.decide_all(case)
    rating = feedback.rating_submit(
        actor=applicant,
        target="case",
        case_number=case.number,
        level=1,
        tags=[],
        comment="办理太慢",
    )
    rect = rating.rectification
    staff = world.deciders_of(rect.department)
    assert staff, rect.department.name
    feedback.rectification_reply(
        rectification_id=rect.pk,
        actor=staff[0],
        verification="属实",
        measures="已加派人手",
        reply="已整改",
    )
    supervisor = next(
        u
        for u in User.objects.filter(username__startswith="demo_", role="supervisor")
        if rect.department.region.code.startswith(u.region.prefix)
    )
    checked = feedback.rectification_check(rectification_id=rect.pk, actor=supervisor, approve=True)
    assert checked.status == "approved"


def test_readme_lists_exactly_the_demo_accounts(demo_world):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## 角色与演示账号", 1)[1].split("\n## ", 1)[0]
    rows = "\n".join(line for line in table.splitlines() if line.startswith("| demo_"))
    listed = set(re.findall(r"demo_[a-z_]+", rows))
    assert listed == set(
        User.objects.filter(username__startswith="demo_").values_list("username", flat=True)
    )
