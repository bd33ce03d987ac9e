"""Ordering and equality with JavaScript's coercions, null and NaN, folded where constant."""

from typing import Any

from .. import engine
from .typed import Typed


class Comparisons:
    """Compiler methods for < <= > >= and == != === !==; ``Compiler`` mixes them in."""

    def _less(self, a: Typed, b: Typed, or_equal: bool) -> Any:
        op = "<=" if or_equal else "<"
        if a.kind == "text" and b.kind == "text":
            texts = self.b.cmp(op, a.x, b.x, text=True)
            if not (a.null or b.null):
                return texts
            fallback = self._null_side_less(a, b, op)
            if isinstance(fallback, bool):
                return self._unless_null(texts, fallback)
            return self.b.coalesce(texts, fallback)
        return self._numeric_less(a, b, op)

    def _null_side_less(self, a: Typed, b: Typed, op: str) -> Any:
        # Only reached where a text is JavaScript null; against a constant that folds away.
        if b.is_const:
            return engine.apply({op: [None, b.const]})
        if a.is_const:
            return engine.apply({op: [a.const, None]})
        return self.strict(self._numeric_less(a, b, op))

    def _numeric_less(self, a: Typed, b: Typed, op: str) -> Any:
        shortcut = self._column_vs_const(a, b, op)
        if shortcut is not None:
            return shortcut
        x, y = self.to_number(a), self.to_number(b)
        return self.b.cmp(op, x.x, y.x)

    def _column_vs_const(self, a: Typed, b: Typed, op: str) -> Any:
        # Number(null) is 0, so "col < c" is "col < c" where col is set and "0 < c" elsewhere.
        if a.kind == "num" and a.null == "null" and b.is_const and b.kind == "num" and b.null == "":
            fallback = engine.apply({op: [0, b.const]})
            return self._unless_null(self.b.cmp(op, a.x, b.x), fallback)
        if b.kind == "num" and b.null == "null" and a.is_const and a.kind == "num" and a.null == "":
            fallback = engine.apply({op: [a.const, 0]})
            return self._unless_null(self.b.cmp(op, a.x, b.x), fallback)
        return None

    def equals(self, a: Typed, b: Typed, strict: bool) -> Any:
        both_null = self._both_null(a, b)
        if a.kind == "null" or b.kind == "null":
            return both_null
        if a.kind == b.kind:
            direct = self.b.cmp("=", a.x, b.x)
        elif strict:
            direct = self.b.lit(False)
        else:
            x, y = self.to_number(a, False), self.to_number(b, False)
            direct = self.b.cmp("=", x.x, y.x)
        return direct if both_null is None else self.b.or_([direct, both_null])

    def _both_null(self, a: Typed, b: Typed) -> Any:
        a_null, b_null = self._js_null(a), self._js_null(b)
        if a_null is False or b_null is False:
            return self.b.lit(False) if a.kind == "null" or b.kind == "null" else None
        parts = [p for p in (a_null, b_null) if p is not True]
        return self.b.and_(parts) if parts else self.b.lit(True)

    def _js_null(self, t: Typed) -> Any:
        """True / False when known at compile time, else a backend test."""
        if t.kind == "null":
            return True
        if t.is_const or t.null != "null":
            return False
        return self.b.is_null(t.x)
