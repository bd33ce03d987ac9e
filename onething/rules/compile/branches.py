"""Value-returning control flow: ``and`` / ``or`` chains and ``if`` as CASE expressions."""

from typing import Any

from ..backends import Uncompilable
from .typed import Typed


class Branches:
    """Compiler methods for values chosen by conditions; ``Compiler`` mixes them in."""

    def _chain(self, args: list, stop_when: bool) -> Typed:
        if not args:
            return self.const(None)
        values = [self.value(a) for a in args]
        whens = []
        for v in values[:-1]:
            test = self.truth_of(v)
            whens.append((test if stop_when else self.b.not_(self.strict(test)), v))
        return self._select(whens, values[-1])

    def _if_value(self, op: str, args: list, ops: list[Typed]) -> Typed:
        whens = [(self.truth(args[i]), self.value(args[i + 1])) for i in range(0, len(args) - 1, 2)]
        other = self.value(args[-1]) if len(args) % 2 else self.const(None)
        return self._select(whens, other)

    def _select(self, whens: list[tuple[Any, Typed]], other: Typed) -> Typed:
        branches = [t for _, t in whens] + [other]
        kinds = {t.kind for t in branches} - {"null"}
        nulls = {t.null for t in branches if t.kind != "null"} | (
            {"null"} if any(t.kind == "null" for t in branches) else set()
        )
        if len(kinds) > 1 or {"null", "nan"} <= nulls:
            raise Uncompilable("条件分支返回不同类型的值")
        kind = kinds.pop() if kinds else "null"
        typed_null = self.b.null_of(kind)
        cases = [(c, typed_null if t.kind == "null" else t.x) for c, t in whens]
        x = (
            self.b.case(cases, typed_null if other.kind == "null" else other.x)
            if cases
            else other.x
        )
        return Typed(x, kind, max(nulls, default=""))
