"""The chat pages: a full page at /assistant/ and the panel every public page can include.

The conversation id lives in the session, so the panel and the page continue one conversation.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import dialogue, selectors, services

SESSION_KEY = "assistant_conversation"
PREFIXES = {"page", "panel"}


def _prefix(request) -> str:
    value = request.POST.get("prefix") or request.GET.get("prefix") or "page"
    return value if value in PREFIXES else "page"


def _transcript(request) -> list[dict]:
    conv = selectors.conversation_get(request.session.get(SESSION_KEY))
    if conv and conv.messages:
        return conv.messages
    return [{"role": "assistant", **dialogue.greeting()}]


@require_GET
def index(request):
    return render(
        request, "assistant/index.html", {"messages_log": _transcript(request), "prefix": "page"}
    )


@require_GET
def history(request):
    context = {"messages_log": _transcript(request), "prefix": _prefix(request)}
    return render(request, "assistant/_history.html", context)


@require_POST
def turn(request):
    result = services.chat_turn(
        conversation_id=request.session.get(SESSION_KEY),
        message=request.POST.get("message", ""),
        choice=request.POST.get("choice", ""),
        user=request.user,
    )
    request.session[SESSION_KEY] = result["conversation_id"]
    if not getattr(request, "htmx", False):
        return redirect("assistant:index")
    return render(request, "assistant/_turn.html", {**result, "prefix": _prefix(request)})
