"""12345 tickets: intake from the hotline, the applicant or the assistant."""

from django.db import transaction
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.common.errors import Forbidden, Unprocessable
from onething.common.events import record_event
from onething.common.inputs import strip_control

from .. import selectors, text
from ..constants import (
    CATEGORIES,
    MAX_CONTENT,
    TicketSource,
    Urgency,
)
from ..models import Ticket

INTAKE_ROLES = {Role.HOTLINE_OPERATOR, Role.APPLICANT_PERSON, Role.APPLICANT_ENTITY}


def _intake(data: dict) -> dict:
    """Checked ticket fields; every problem is a 422 naming the field."""
    category, sub = str(data.get("category") or ""), str(data.get("subcategory") or "")
    if not category:
        raise Unprocessable("请选择诉求分类", fields={"category": "请从分类表中选择"})
    if category not in CATEGORIES:
        raise Unprocessable("诉求一级分类不正确", fields={"category": "请从分类表中选择"})
    if sub not in CATEGORIES[category]:
        raise Unprocessable(
            "诉求二级分类不正确", fields={"subcategory": f"应为“{category}”下的分类"}
        )
    urgency = str(data.get("urgency") or Urgency.NORMAL)
    if urgency not in Urgency.values:
        raise Unprocessable(
            "紧急程度不正确", fields={"urgency": "应为 normal、urgent 或 emergency"}
        )
    region = accounts.region_get(str(data.get("region") or ""))
    if region is None:
        raise Unprocessable("诉求所在区划不存在", fields={"region": "请填写 6 位区划代码"})
    return {
        "contact_name": text.checked(
            data.get("contact_name"), field="contact_name", label="联系人", limit=64, required=True
        ),
        "contact_phone": _phone(data.get("contact_phone")),
        "content": text.checked(
            data.get("content"), field="content", label="诉求内容", limit=MAX_CONTENT, required=True
        ),
        "location": text.checked(
            data.get("location"), field="location", label="具体地点", limit=200
        ),
        "related_case": _case_number(data.get("related_case")),
        "category": category,
        "subcategory": sub,
        "urgency": urgency,
        "region": region,
    }


def _phone(value) -> str:
    phone = str(value or "").strip()
    if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
        raise Unprocessable("联系电话格式不正确", fields={"contact_phone": "只能包含数字和连字符"})
    return phone


def _case_number(value) -> str:
    number = str(value or "").strip()
    if number and not (len(number) <= 32 and number.replace("-", "").isalnum()):
        raise Unprocessable(
            "关联办件编号格式不正确", fields={"related_case": "如 420102-20260105-000001"}
        )
    return number


def _source_for(actor, given: str) -> str:
    if actor.is_applicant:
        return TicketSource.PORTAL
    if given in (TicketSource.PHONE, TicketSource.API, TicketSource.ASSISTANT):
        return given
    return TicketSource.PHONE


def ticket_create(*, actor, source: str = "", **data) -> Ticket:
    """受理: an operator takes a call, a citizen writes on the portal, or a system posts."""
    if getattr(actor, "role", None) not in INTAKE_ROLES:
        raise Forbidden("只有 12345 话务员或群众本人可以提交诉求")
    return _ticket_create(actor, _source_for(actor, source), _intake(data))


@transaction.atomic
def _ticket_create(actor, source: str, fields: dict) -> Ticket:
    record = selectors.ticket_record(**_routing_fields(fields, source))
    rule, department = selectors.routing_suggestion(record, fields["region"])
    ticket = Ticket.objects.create(
        source=source,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        suggested_department=department,
        routed_by=rule,
        **fields,
    )
    ticket.number = f"{timezone.localdate():%Y%m%d}{ticket.pk:06d}"
    ticket.save(update_fields=["number"])
    record_event(
        actor=actor,
        verb="ticket.received",
        obj=ticket,
        data={
            "source": source,
            "rule": rule.name if rule else "",
            "suggested": department.name if department else "",
        },
    )
    return ticket


def _routing_fields(fields: dict, source: str) -> dict:
    keys = ("content", "category", "subcategory", "urgency", "location", "related_case")
    return {**{k: fields[k] for k in keys}, "region": fields["region"].code, "source": source}


def ticket_from_assistant(*, conversation_text: str, contact, user) -> Ticket:
    """The assistant's hand-off to a person (转人工): the latest part of the conversation."""
    contact = contact if isinstance(contact, dict) else {"phone": str(contact or "")}
    name = contact.get("name") or getattr(user, "display_name", "") or "导办用户"
    region = getattr(getattr(user, "region", None), "code", "") or contact.get("region") or "420000"
    body = strip_control(str(conversation_text or ""))
    # Transcripts outgrow the limit; the most recent turns say what is still unresolved.
    content = body if len(body) <= MAX_CONTENT else "……" + body[-(MAX_CONTENT - 2) :]
    data = {
        "contact_name": name[:64],
        "contact_phone": contact.get("phone", ""),
        "content": content,
        "region": region,
        "category": "政务服务",
        "subcategory": "办事咨询",
        "urgency": Urgency.NORMAL,
    }
    return _ticket_create(user, TicketSource.ASSISTANT, _intake(data))
