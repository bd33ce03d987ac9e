"""Feedback fixtures: a 12345 operator, a department admin, completed cases, a routing rule."""

from datetime import timedelta

import pytest
from django.utils import timezone


def make_completed_case(applicant, *, number="420102-20260105-000001", days_ago=1, kind="market"):
    """A completed case written straight into the cases tables (test setup only)."""
    from onething.accounts.models import Department, Region
    from onething.cases.models import Case, Task
    from onething.catalog.models import OneThingVersion

    version = OneThingVersion.objects.filter(onething_id="mini-restaurant").first()
    region = Region.objects.get(code="420102")
    finished = timezone.now() - timedelta(days=days_ago)
    case = Case.objects.create(
        number=number,
        version=version,
        onething="mini-restaurant",
        title="开办小餐馆",
        blueprint={},
        applicant=applicant,
        submitted_by=applicant,
        channel="portal",
        applicant_data={"kind": "person", "name": applicant.display_name, "phone": "13800000000"},
        accept_region=region,
        process_region=region,
        status="completed",
        accepted_at=finished - timedelta(days=3),
        finished_at=finished,
    )
    department = Department.objects.get(kind_id=kind, region_id="420102")
    Task.objects.create(
        case=case,
        item="mini-registration",
        name="食品经营许可",
        department=department,
        stage=1,
        days=5,
        status="approved",
        decided_at=finished,
    )
    return case


@pytest.fixture
def completed_case(alice):
    return make_completed_case(alice)


@pytest.fixture
def noise_rule(mini_catalog):
    """Noise complaints go to the market bureau of the ticket's district (the mini catalog has
    no ecology bureau)."""
    from onething.feedback.models import TicketRoutingRule

    return TicketRoutingRule.objects.create(
        position=10,
        name="噪声扰民转市场监管",
        department_kind_id="market",
        rule={
            "or": [
                {"in": ["噪音", {"var": "content"}]},
                {"==": [{"var": "subcategory"}, "噪声污染"]},
            ]
        },
    )


TICKET = {
    "contact_name": "李先生",
    "contact_phone": "13900000000",
    "content": "江岸区某小区楼下餐馆夜间噪音扰民，油烟也很大，希望有关部门处理。",
    "region": "420102",
    "location": "江岸区解放大道1号",
    "category": "生态环境",
    "subcategory": "噪声污染",
    "urgency": "normal",
}
