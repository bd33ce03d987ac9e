"""Number conversion and arithmetic (+ - * / %, min, max) with JavaScript's NaN and null."""

import math
from typing import Any

from ..backends import Uncompilable
from ..jsvalues import parse_float, to_number
from .typed import Typed, _first


class Numbers:
    """Compiler methods for numbers; ``Compiler`` mixes them in."""

    def to_number(self, t: Typed, null_is_zero: bool = True) -> Typed:
        """ECMAScript Number(x); with null_is_zero=False, JavaScript null stays NULL."""
        if t.is_const:
            return self.const(0 if t.const is None and null_is_zero else to_number(t.const))
        if t.kind == "num":
            if t.null == "null" and null_is_zero:
                return Typed(self.b.coalesce(t.x, self.b.lit(0)), "num")
            return t
        if t.kind == "bool":
            return Typed(
                self.b.bool_to_num(t.x, null_is_zero), "num", "" if null_is_zero else "null"
            )
        if t.kind == "text":
            return Typed(self.b.text_to_number(t.x, null_is_zero), "num", "nan")
        return self.const(0 if null_is_zero else None)

    def parse_float(self, t: Typed) -> Typed:
        if t.is_const:
            return self.const(parse_float(t.const))
        if t.kind == "num":
            return Typed(t.x, "num", "nan" if t.null else "")
        if t.kind == "text":
            return Typed(self.b.text_parse_float(t.x), "num", "nan")
        return self.const(math.nan)

    def _arith(self, op: str, a: Typed, b: Typed) -> Typed:
        x = self.b.arith(op, self.b.to_double(a.x), self.b.to_double(b.x))
        return Typed(x, "num", "nan" if a.null or b.null else "")

    def _fold_arith(self, op: str, operands: list[Typed], convert) -> Typed:
        result = convert(operands[0])
        for operand in operands[1:]:
            result = self._arith(op, result, convert(operand))
        return result

    def _add(self, op: str, args: list, ops: list[Typed]) -> Typed:
        # parseFloat(0) + parseFloat(a) is parseFloat(a), so the seed 0 is left out.
        return self._fold_arith("+", ops, self.parse_float) if ops else self.const(0)

    def _multiply(self, op: str, args: list, ops: list[Typed]) -> Typed:
        if not ops:
            raise Uncompilable("* 至少需要一个参数")
        if len(ops) == 1:
            return ops[0]  # Array.reduce without a seed hands back a single operand untouched.
        return self._fold_arith("*", ops, self.parse_float)

    def _subtract(self, op: str, args: list, ops: list[Typed]) -> Typed:
        if len(ops) < 2:
            operand = self.to_number(_first(ops))
            return Typed(self.b.neg(operand.x), "num", operand.null)
        return self._arith("-", self.to_number(ops[0]), self.to_number(ops[1]))

    def _divide(self, op: str, args: list, ops: list[Typed]) -> Typed:
        divisor = self.to_number(ops[1]) if len(ops) > 1 else None
        if divisor is None or not divisor.is_const or not _finite_nonzero(divisor.const):
            raise Uncompilable("除数必须是非零常量")
        if op == "%" and not self.b.exact_remainder:
            raise Uncompilable("该引擎不支持 % 的 JavaScript 语义")
        return self._arith(op, self.to_number(ops[0]), divisor)

    def _extreme(self, op: str, args: list, ops: list[Typed]) -> Typed:
        if not ops:  # Math.min() is Infinity, which no compiled engine models
            raise Uncompilable(f"{op} 至少需要一个参数")
        numbers = [self.to_number(o) for o in ops]
        pick = self.b.least if op == "min" else self.b.greatest
        x = pick([n.x for n in numbers])
        nan_possible = [n for n in numbers if n.null]
        if nan_possible:
            x = self.b.case(
                [(self.b.or_([self.b.is_null(n.x) for n in nan_possible]), self.b.null_num())], x
            )
        return Typed(x, "num", "nan" if nan_possible else "")


def _finite_nonzero(value: Any) -> bool:
    return value == value and value != 0 and not math.isinf(value)
