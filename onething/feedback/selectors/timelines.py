"""The timelines of tickets and rectifications, in Chinese."""

from onething.common.events import events_for

VERBS = {
    "rating.invited": "发出评价邀请",
    "rating.created": "评价",
    "rating.rerated": "追评（整改后再次评价）",
    "rectification.opened": "差评自动转整改",
    "rectification.replied": "部门核实整改并答复",
    "rectification.returned": "审核退回，重新整改",
    "rectification.approved": "监督审核通过",
    "rectification.visited": "回访",
    "ticket.received": "受理",
    "ticket.dispatched": "派单",
    "ticket.signed": "签收",
    "ticket.handled": "办理反馈",
    "ticket.closed": "办结",
    "ticket.returned": "退单",
    "ticket.escalated": "督办",
    "ticket.reopened": "重办",
    "ticket.visited": "回访",
    "ticket.rated": "评价",
    "ticket.merged": "合并重复诉求",
    "ticket.duplicate_merged": "并入重复诉求",
    "ticket.warning": "即将超时预警",
}


def _timeline(obj) -> list[dict]:
    return [
        {
            "id": e.pk,
            "verb": e.verb,
            "label": VERBS.get(e.verb, e.verb),
            "at": e.created_at,
            "actor": str(e.actor) if e.actor else "系统",
            "actor_id": e.actor_id,
            "data": e.data,
        }
        for e in events_for(obj).select_related("actor")
    ]
