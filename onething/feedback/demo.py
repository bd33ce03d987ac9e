"""Demo routing rules, time limits and 12345 tickets in every state (demo mode only)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from . import services
from .models import Ticket, TicketRoutingRule, TicketSla

# (position, name, JsonLogic, department kind)
RULES = [
    (10, "餐饮食品类转市场监管", {"or": [{"==": [{"var": "category"}, "市场监管"]},
        {"in": ["餐馆", {"var": "content"}]}, {"in": ["过期", {"var": "content"}]}]}, "market"),
    (20, "噪声扰民转生态环境", {"or": [{"==": [{"var": "subcategory"}, "噪声污染"]},
        {"in": ["噪音", {"var": "content"}]}]}, "ecology"),
    (30, "物业纠纷转住建", {"==": [{"var": "subcategory"}, "物业管理"]}, "housing"),
    (40, "交通出行转交通运输", {"==": [{"var": "category"}, "交通运输"]}, "transport"),
    (50, "劳动社保转人社", {"==": [{"var": "category"}, "劳动社保"]}, "hrss"),
    (90, "政务服务与办件咨询转数据局", {"or": [{"==": [{"var": "category"}, "政务服务"]},
        {"var": "has_case"}]}, "data_bureau"),
]  # fmt: skip

CALLS = [
    (
        "王女士",
        "市场监管",
        "食品安全",
        "江岸区永清街一家餐馆后厨卫生条件差，昨晚吃完饭后全家腹泻，要求查处。",
    ),
    (
        "刘先生",
        "生态环境",
        "噪声污染",
        "小区旁工地夜间十一点后仍在施工，噪音很大，影响休息，已持续一周。",
    ),
    (
        "陈女士",
        "城乡建设",
        "物业管理",
        "物业公司擅自提高停车费，业主多次反映无果，希望住建部门介入。",
    ),
    (
        "赵先生",
        "政务服务",
        "一件事办理",
        "网上申请开办餐馆一件事，提交后显示待受理已三天，想了解进度。",
    ),
    (
        "孙先生",
        "劳动社保",
        "工资拖欠",
        "在某装修公司工作三个月，老板拖欠工资两万元，多次讨要未果。",
    ),
    ("周女士", "交通运输", "公交出租", "508路公交车经常跳站不停，早高峰等车半小时，请求整改。"),
]


def load(*, seed: int, stdout) -> None:
    if TicketRoutingRule.objects.exists():
        stdout.write("12345 派单规则已存在，跳过")
        return
    rules = _rules()
    TicketSla.objects.get_or_create(
        urgency="emergency",
        category="",
        defaults={"sign_minutes": 15, "feedback_hours": 1, "handle_hours": 2},
    )
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo_")}
    operator = users.get("demo_hotline")
    if operator is None:
        stdout.write(f"12345 派单规则：{rules} 条（无演示话务员，未生成工单）")
        return
    made = _tickets(random.Random(seed), operator, users)
    stdout.write(f"12345 派单规则：{rules} 条，演示工单：{made} 张")


def _rules() -> int:
    from onething.accounts.models import DepartmentKind

    kinds = set(DepartmentKind.objects.values_list("code", flat=True))
    for position, name, rule, kind in RULES:
        if kind in kinds:
            TicketRoutingRule.objects.create(
                position=position, name=name, rule=rule, department_kind_id=kind
            )
    return TicketRoutingRule.objects.count()


def _tickets(rng: random.Random, operator, users) -> int:
    reviewer, region = users.get("demo_reviewer"), "420102"
    tickets = []
    for name, category, sub, content in CALLS:
        phone = f"139{rng.randrange(10**7, 10**8)}"
        tickets.append(
            services.ticket_create(
                actor=operator,
                source="phone",
                contact_name=name,
                contact_phone=phone,
                content=content,
                region=region,
                category=category,
                subcategory=sub,
                location="武汉市江岸区",
                urgency="urgent" if sub == "食品安全" else "normal",
            )
        )
    for ticket in tickets[:5]:
        if ticket.suggested_department_id:
            services.ticket_transition(ticket_id=ticket.pk, actor=operator, action="dispatch")
    if reviewer is not None:
        _market_story(tickets[0], operator, reviewer)
        _late_story(tickets, operator)
    return len(tickets)


def _market_story(ticket, operator, reviewer) -> None:
    """The food complaint went all the way round: signed, handled, closed, visited, rated."""
    ticket.refresh_from_db()
    if not ticket.department_id or ticket.department_id != reviewer.department_id:
        return
    steps = [
        (reviewer, "sign", ""),
        (reviewer, "handle", "已安排执法人员现场检查后厨"),
        (reviewer, "close", "经查属实，已责令停业整顿并立案调查"),
        (operator, "visit", "诉求人认可处理结果"),
        (operator, "rate", ""),
    ]
    for actor, action, note in steps:
        services.ticket_transition(
            ticket_id=ticket.pk, actor=actor, action=action, note=note, satisfaction="satisfied"
        )


def _late_story(tickets, operator) -> None:
    """One dispatched ticket left unsigned past its limit, so the console shows a 督办."""
    late = (
        Ticket.objects.filter(pk__in=[t.pk for t in tickets[1:]], status="dispatched")
        .order_by("id")
        .first()
    )
    if late is None:
        return
    back = timedelta(hours=3)
    # The whole ticket moves back, so it was not dispatched before it was received.
    Ticket.objects.filter(pk=late.pk).update(
        created_at=late.created_at - back,
        dispatched_at=late.dispatched_at - back,
        sign_due=late.sign_due - back,
        feedback_due=late.feedback_due - back,
        handle_due=late.handle_due - back,
    )
    services.sla_watch()
