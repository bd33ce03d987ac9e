"""Handing a conversation to 12345 (转人工): the assistant's one write outside its own tables.

Its own module so that the dialogue (which offers the hand-off) and the services (which run
the dialogue) both use it without importing each other.
"""

from onething.feedback import services as feedback


def hotline_ticket_create(*, state: dict, user=None) -> str | None:
    """Hand the conversation to 12345 (转人工): a ticket for a logged-in person, else None.

    An anonymous visitor leaves no way to be called back, so they are shown the hotline.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    text = "导办转人工。" + (f"咨询事项：{state['code']}。" if state.get("code") else "")
    text += f"群众描述：{state.get('last_text', '')}"
    name = getattr(user, "display_name", "") or user.username
    ticket = feedback.ticket_from_assistant(
        conversation_text=text, contact={"name": name}, user=user
    )
    return ticket.number
