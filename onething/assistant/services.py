"""Writes for the assistant: conversation turns, and the hand-off to a person."""

from django.db import transaction

from onething.common.events import record_event

from . import dialogue
from . import selectors as reads
from . import text as tx
from .hotline import hotline_ticket_create  # noqa: F401  (services.x for callers)
from .models import Conversation

MAX_MESSAGES = 60
MAX_STORED_CHARS = 500


@transaction.atomic
def conversation_start(*, user=None) -> Conversation:
    owner = user if getattr(user, "is_authenticated", False) else None
    conv = Conversation.objects.create(user=owner, state={"stage": "idle"})
    record_event(actor=owner, verb="assistant.conversation_started", obj=conv)
    return conv


def _conversation_for(conversation_id, user) -> Conversation:
    """The conversation to continue, or a new one if the id is unknown or someone else's."""
    conv = reads.conversation_get(conversation_id) if conversation_id else None
    if conv is None or (conv.user_id and conv.user_id != getattr(user, "pk", None)):
        return conversation_start(user=user)
    return conv


@transaction.atomic
def chat_turn(*, conversation_id=None, message: str = "", choice: str = "", user=None) -> dict:
    """Run one turn: the person's message or choice in, the assistant's bubbles out."""
    message, choice = tx.clean(message), tx.clean(choice, limit=300)
    conv = _conversation_for(conversation_id, user)
    if not (message or "").strip() and not choice and not conv.messages:
        replies = [dialogue.greeting()]
    else:
        replies = dialogue.respond(
            conv.state, message=message or "", choice=choice or "", user=user
        )
    said = _remember(conv, message, choice, replies)
    # The audit row says that a turn happened and where it led, not what was said: the words stay
    # in the conversation, which only its owner reads.
    stage = conv.state.get("stage", "idle")
    record_event(
        actor=user,
        verb="assistant.turn",
        obj=conv,
        fields=["messages", "state"],
        data={"stage": stage, "onething": conv.state.get("code") or ""},
    )
    return {
        "conversation_id": str(conv.id),
        "stage": conv.state.get("stage", "idle"),
        "said": said,
        "replies": replies,
    }


def _remember(conv: Conversation, message: str, choice: str, replies: list[dict]) -> str:
    said = (message or "").strip() or choice_label(conv.messages, choice)
    rows = [{"role": "user", "text": said[:MAX_STORED_CHARS]}] if said else []
    # Whole bubbles, so a reloaded page (or a client without JavaScript) shows the same thing.
    rows += [{"role": "assistant", **r} for r in replies]
    conv.messages = (conv.messages + rows)[-MAX_MESSAGES:]
    conv.save(update_fields=["messages", "state", "updated_at"])
    return said[:MAX_STORED_CHARS]


def choice_label(history: list[dict], choice: str) -> str:
    """What the person saw on the button they pressed, for the transcript."""
    if not choice:
        return ""
    for row in reversed(history):
        for option in row.get("choices") or []:
            if option.get("value") == choice:
                return option["label"]
    action, _, rest = choice.partition(":")
    return rest if action == "say" else {"human": "转人工", "restart": "办其他事"}.get(action, "")
