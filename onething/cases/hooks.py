"""What cases tell the apps above them without importing them: those apps plug in at start-up.

Integration (department systems) and feedback (ratings) read cases, so cases may not import
them (see docs/architecture.md). Cases call these hooks instead; integration registers its
dispatch and feedback its listener in their ``AppConfig.ready()``. Without them cases behave
as if no department system were connected and nobody listened.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Dispatch:
    """How a task reaches a department's own system; each returns True when a system took it."""

    task_started: Callable[..., bool]
    task_resumed: Callable[..., bool]
    task_cancelled: Callable[..., object]
    decided_externally: Callable[..., bool]


def _no(**_) -> bool:
    return False


NO_DISPATCH = Dispatch(_no, _no, _no, _no)
_dispatch = NO_DISPATCH
_on_completed: dict[str, Callable] = {}


def use_dispatch(dispatch: Dispatch) -> None:
    global _dispatch
    _dispatch = dispatch


def dispatch() -> Dispatch:
    return _dispatch


def on_case_completed(name: str, listener: Callable) -> None:
    """``listener(case=...)`` runs inside the transaction that completes a case; one per name."""
    _on_completed[name] = listener


def case_completed(case) -> None:
    for listener in _on_completed.values():
        listener(case=case)
