"""The one rules engine: JsonLogic documents evaluated, validated, explained and compiled.

Other apps import only this module (and ``selectors`` if one appears). Semantics and the
compiled subset are documented in docs/rules.md.
"""

from typing import Any

from . import engine, validation
from .backends import code_column
from .compile import Compiled, NotCompiled, compile_rule
from .engine import RuleRuntimeError
from .explain import Condition, Explanation
from .explain import explain as _explain
from .jsvalues import truthy
from .validation import STANDARD_OPERATORS, RuleError

__all__ = [
    "STANDARD_OPERATORS",
    "Compiled",
    "Condition",
    "Explanation",
    "NotCompiled",
    "RuleError",
    "RuleRuntimeError",
    "check_stored",
    "code_column",
    "compile_rule",
    "evaluate",
    "explain",
    "holds",
    "truthy",
    "validate",
    "variables_of",
]


def evaluate(rule: Any, data: dict | None = None) -> Any:
    """Evaluate a JsonLogic rule against one record (json-logic-js semantics)."""
    return engine.apply(rule, {} if data is None else data)


def holds(rule: Any, data: dict | None = None) -> bool:
    """Whether the rule is truthy for the record: what "the record qualifies" means."""
    return truthy(engine.apply(rule, data or {}))


def validate(rule: Any, *, variables: set[str] | None = None) -> list[RuleError]:
    """Structural check: JSON values, known operators, operand counts, known variables."""
    return validation.validate(rule, variables)


def check_stored(rule: Any, *, variables: set[str] | None = None) -> list[RuleError]:
    """``validate`` plus what a stored rule must be: a JsonLogic object within size limits.

    Every place that saves a rule (warning rules, policies, catalog situations, 12345 routing)
    calls this, so a rule refused in one is refused in all."""
    return validation.check_stored(rule, variables)


def variables_of(rule: Any) -> set[str]:
    """Top-level field names a rule reads (first path segment of each var)."""
    return validation.variables_of(rule)


def explain(rule: Any, record: dict | None, *, labels: dict[str, str]) -> Explanation:
    """Per-condition account of a rule for one record; ``failed_count`` drives near misses."""
    return _explain(rule, record, labels)
