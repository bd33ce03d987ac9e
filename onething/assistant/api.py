"""Public assistant API: search and the guidance chat (no login, no session, no CSRF).

Neither endpoint uses the session or changes anything a person owns, so both run with
``auth=None`` and CSRF does not apply; a conversation is addressed only by its random id.
"""

from ninja import Query, Router, Schema

from . import selectors, services
from .schemas import ChatIn, ChatOut, SearchOut

router = Router(tags=["智能导办"])

MAX_LIMIT = 50


class SearchParams(Schema):
    q: str = ""
    limit: int = 10


@router.get("/assistant/search", response=SearchOut, auth=None, summary="事项搜索（口语化描述）")
def search(request, params: Query[SearchParams]):
    limit = min(max(params.limit, 1), MAX_LIMIT)
    return {"results": [h.as_dict() for h in selectors.search(params.q, limit=limit)]}


@router.post("/assistant/chat", response=ChatOut, auth=None, summary="导办对话（一轮）")
def chat(request, payload: ChatIn):
    return services.chat_turn(
        conversation_id=payload.conversation_id,
        message=payload.message or "",
        choice=payload.choice or "",
        user=request.user,
    )
