"""Reads for the assistant: the live search index and conversations."""

import threading
import time
import uuid

from onething.catalog import signals

from . import sources
from .index import KINDS, Hit, Index
from .models import Conversation

_lock = threading.Lock()
_state: dict = {"fingerprint": None, "index": None, "built_in": 0.0}


def _forget(**_) -> None:
    _state["fingerprint"] = None


# The signal covers this process at once; the fingerprint covers the other processes.
signals.changed.connect(_forget, dispatch_uid="assistant-index")


def index_current() -> Index:
    """The index for the catalog as it is now, rebuilt lazily when the catalog changed."""
    fingerprint = sources.fingerprint()
    if _state["index"] is not None and _state["fingerprint"] == fingerprint:
        return _state["index"]
    with _lock:
        if _state["index"] is None or _state["fingerprint"] != fingerprint:
            started = time.perf_counter()
            _state["index"] = Index(sources.all_docs(), sources.synonym_groups())
            _state["built_in"] = time.perf_counter() - started
            _state["fingerprint"] = fingerprint
    return _state["index"]


def index_info() -> dict:
    index = index_current()
    counts = {kind: sum(1 for d in index.docs if d.kind == kind) for kind in KINDS}
    return {"documents": counts, "build_seconds": round(_state["built_in"], 3)}


def search(q: str, *, limit: int = 10, kinds: tuple[str, ...] = KINDS) -> list[Hit]:
    return index_current().search(q or "", limit=limit, kinds=kinds)


def conversation_get(conversation_id) -> Conversation | None:
    try:
        key = uuid.UUID(str(conversation_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return Conversation.objects.filter(pk=key).first()
