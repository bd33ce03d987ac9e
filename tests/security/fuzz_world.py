"""A small but complete world for API fuzzing: one persona per role, a completed case with
sealed documents and a licence, a processing case with a commitment and open warnings, a
ticket, a rectification, policies and a policy run, so generated path ids can hit real rows.

Everything is made through the services (or the factories the app tests use), as in real use.
"""

from datetime import date, timedelta

from django.utils import timezone

from onething.testing import _persona

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TICKET = {
    "contact_name": "李先生",
    "contact_phone": "13900000000",
    "content": "江岸区某小区楼下餐馆夜间噪音扰民，希望有关部门处理。",
    "region": "420102",
    "location": "江岸区解放大道1号",
    "category": "生态环境",
    "subcategory": "噪声污染",
    "urgency": "normal",
}


def _people() -> dict:
    from onething.accounts.models import Department
    from onething.common.validators import make_credit_code, make_id_number
    from onething.registry import services as registry

    id_number = make_id_number("420102", date(1990, 5, 17), 2)
    person = registry.person_create(
        id_number=id_number, name="刘爱丽", household_region_id="420102"
    )
    market = Department.objects.get(kind_id="market", region_id="420102")
    registry.license_issue(license_type="id_card", department=market, data={}, person=person)
    firm = registry.entity_create(
        credit_code=make_credit_code("420102", "00000071"),
        name="武汉市江岸区楚味餐饮有限公司",
        entity_type="llc",
        legal_rep=person,
        registered_region_id="420102",
    )
    return {
        "applicant_person": _persona(
            "alice", "applicant_person", display_name="刘爱丽", id_number=id_number
        ),
        "applicant_entity": _persona(
            "chuwei", "applicant_entity", display_name="楚味餐饮", credit_code=firm.credit_code
        ),
        "window_clerk": _persona("carol", "window_clerk", kind="data_bureau"),
        "dept_reviewer": _persona("mark", "dept_reviewer", kind="market"),
        "dept_admin": _persona("dan", "dept_admin", kind="market"),
        "supervisor": _persona("sam", "supervisor", region="420100"),
        "catalog_admin": _persona("dora", "catalog_admin", region="420000", kind="data_bureau"),
        "hotline_operator": _persona("olga", "hotline_operator", region="420100"),
        "sysadmin": _persona("sid", "sysadmin", region="420000"),
        "secadmin": _persona("sec", "secadmin", region="420000"),
        "auditadmin": _persona("aud", "auditadmin", region="420000"),
    }


def _completed_case(alice, carol, mark):
    """Alice applies, Carol accepts, Mark approves both tasks: documents and a licence."""
    from onething.cases import services as cases
    from onething.common.validators import make_credit_code

    files = {
        m: cases.upload_create(owner=alice, name="材料.pdf", chunks=[PDF])
        for m in ("application_form", "lease_contract")
    }
    case, _ = cases.case_submit(
        user=alice,
        data={
            "onething": "mini-restaurant",
            "answers": {"big": "no", "own_premises": "no"},
            "form": {"business_name": "楚味小馆", "area": 80},
            "materials": [{"material": m, "file_id": str(u.pk)} for m, u in files.items()],
            "commitments": [],
            "channel": "portal",
        },
        idempotency_key=None,
    )
    cases.case_accept(number=case.number, actor=carol, decision="accept", reason="", problems=[])
    result = {"credit_code": make_credit_code("420102", "32345678")}
    for _ in range(2):  # the food licence depends on the registration: two stages
        task = case.tasks.filter(status="active").first()
        cases.task_decide(
            task_id=task.pk, actor=mark, decision="approve", opinion="", result=result
        )
        result = {}
    case.refresh_from_db()
    return case


def _overdue_case(alice):
    """A processing case whose tasks and commitment are overdue, so warnings are raised."""
    from onething.common import workdays
    from onething.supervision.tests import factory

    started = timezone.localdate()
    for _ in range(20):
        started -= timedelta(days=1)
        while not workdays.is_workday(started):
            started -= timedelta(days=1)
    return factory.make_case(
        submitted_by=alice, accepted=started, status="processing", commitment="pending"
    )


def _feedback(people, case):
    from onething.feedback import services as feedback

    ticket = feedback.ticket_create(actor=people["hotline_operator"], source="phone", **TICKET)
    other = feedback.ticket_create(
        actor=people["applicant_person"], **{**TICKET, "content": "噪音问题再次反映，夜里仍很吵。"}
    )
    rating = feedback.rating_submit(
        actor=people["applicant_person"], case_number=case.number, level=1, comment="等太久"
    )
    return ticket, other, rating


def _policies(people):
    from onething.policies import exchange, services
    from onething.policies.demo import DEMO_FILE
    from onething.policies.models import Policy

    services.policies_import(items=exchange.read_file(DEMO_FILE)[:6])
    policy = Policy.objects.filter(current__isnull=False).order_by("code").first()
    run = services.run_start(policy=policy, kind="match", actor=people["catalog_admin"])
    return policy, run


def _body_values(people, done) -> dict:
    """Real values for request-body fields, by field name (wherever the field occurs)."""
    from onething.accounts.models import Department
    from onething.cases import constants as cases
    from onething.cases import services as uploads
    from onething.feedback import constants as feedback
    from onething.supervision import constants as supervision

    files = [
        str(uploads.upload_create(owner=people[role], name="材料.pdf", chunks=[PDF]).pk)
        for role in ("applicant_person", "applicant_entity", "window_clerk")
    ]
    return {
        "case_number": [done.number],
        "related_case": [done.number],
        "onething": ["mini-restaurant"],
        "file_id": files,
        "department": list(Department.objects.values_list("code", flat=True)[:4]),
        "region": ["420102", "420100"],
        "decision": [*cases.AcceptanceDecision.values, *cases.TaskDecision.values],
        "action": feedback.TicketAction.values,
        "target": [*feedback.RatingTarget.values, *supervision.Target.values],
        "channel": [*cases.Channel.values, *feedback.RatingChannel.values],
        "level": [1, 2, 3, 4, 5, *supervision.WarningLevel.values],
        "result": feedback.VisitResult.values,
        "satisfaction": feedback.Satisfaction.values,
        "urgency": feedback.Urgency.values,
        "source": feedback.TicketSource.values,
        "kind": ["match", "grant"],
    }


def build() -> dict:
    """Make the world; return the personas and, per path parameter and per body field, values
    of real objects."""
    from onething.registry.models import License
    from onething.supervision import services as supervision
    from onething.supervision.models import Warning, WarningRule

    people = _people()
    alice = people["applicant_person"]
    done = _completed_case(alice, people["window_clerk"], people["dept_reviewer"])
    open_case = _overdue_case(alice)
    supervision.warnings_evaluate()
    ticket, other, rating = _feedback(people, done)
    policy, run = _policies(people)
    licences = list(License.objects.values_list("identifier", flat=True))
    return {
        "people": people,
        "body": _body_values(people, done),
        "ids": {
            "number": [done.number, open_case.number],
            "doc_id": list(done.documents.values_list("pk", flat=True)),
            "task_id": list(open_case.tasks.values_list("pk", flat=True))
            + list(done.tasks.values_list("pk", flat=True)),
            "commitment_id": list(open_case.commitments.values_list("pk", flat=True)),
            "identifier": licences,
            "code": [
                "mini-restaurant",
                policy.code,
                *WarningRule.objects.values_list("code", flat=True)[:2],
            ],
            "onething_code": ["mini-restaurant"],
            "run_id": [run.pk],
            "rating_id": [rating.pk],
            "rect_id": [rating.rectification.pk],
            "ticket_id": [ticket.pk, other.pk],
            "ticket_number": [ticket.number, other.number],
            "into_id": [ticket.pk],
            "warning_id": list(Warning.objects.values_list("pk", flat=True)[:3]),
            "key": ["overview", "timeliness"],
        },
    }
