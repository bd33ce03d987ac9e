"""``in`` (a list of constants or a substring) and ``cat``."""

from typing import Any

from .. import engine
from ..backends import Uncompilable
from ..jsvalues import is_number, to_string
from .typed import Typed


class Membership:
    """Compiler methods for ``in`` and ``cat``; ``Compiler`` mixes them in."""

    def _in(self, op: str, args: list, ops: list[Typed]) -> Typed:
        needle = self.value(args[0]) if args else self.const(None)
        haystack = args[1] if len(args) > 1 else None
        if isinstance(haystack, list) and not any(isinstance(h, (dict, list)) for h in haystack):
            return self._boolean(self._in_list(needle, haystack))
        hay = self.value(haystack)
        if hay.kind != "text":
            return self.const(False)
        return self._boolean(self._in_text(needle, hay))

    def _in_list(self, needle: Typed, items: list) -> Any:
        if needle.is_const:
            return self.b.lit(engine.apply({"in": [needle.const, items]}))
        same = [
            i for i in items if _js_kind(i) == needle.kind and not (isinstance(i, float) and i != i)
        ]
        terms = [self.b.is_in(needle.x, same)] if same else []
        if None in items and needle.null == "null":
            terms.append(self.b.is_null(needle.x))
        return self.b.or_(terms) if terms else self.b.lit(False)

    def _in_text(self, needle: Typed, hay: Typed) -> Any:
        if needle.is_const:
            text = self.b.lit(to_string(needle.const))
        elif needle.kind == "text":
            text = self.b.coalesce(needle.x, self.b.lit("null"))
        else:
            raise Uncompilable("in 的文本查找只支持文本或常量")
        found = self.b.contains(hay.x, text)
        return self.b.and_([found, self.b.cmp("!=", hay.x, self.b.lit(""))])

    def _cat(self, op: str, args: list, ops: list[Typed]) -> Typed:
        parts = []
        for o in ops:
            if o.is_const:
                parts.append(self.b.lit("" if o.const is None else to_string(o.const)))
            elif o.kind == "text":
                parts.append(self.b.coalesce(o.x, self.b.lit("")))
            else:
                raise Uncompilable("cat 只支持文本列和常量")
        return Typed(self.b.concat(parts), "text")


def _js_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return "num" if is_number(value) else "text"
