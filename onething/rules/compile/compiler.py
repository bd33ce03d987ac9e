"""The Compiler: truth and values of a JsonLogic node, constants, columns and the operator table."""

import math
from collections.abc import Mapping
from typing import Any

from .. import engine
from ..backends import Backend, Uncompilable
from ..jsvalues import is_number, truthy
from .branches import Branches
from .comparisons import Comparisons
from .membership import Membership
from .numbers import Numbers
from .typed import COLUMN_KINDS, Typed, _first

_COMPARISONS = {"<", "<=", ">", ">="}
_EQUALITIES = {"==", "!=", "===", "!=="}


class Compiler(Numbers, Comparisons, Membership, Branches):
    def __init__(self, columns: Mapping[str, str], backend: Backend):
        self.columns = columns
        self.b = backend
        self.handlers = self._handler_table()

    # --- entry points ---------------------------------------------------------------------

    def truth(self, node: Any) -> Any:
        """Backend boolean for truthy(node), where NULL also means false.

        Conditions of AND/OR/CASE WHEN treat NULL as false, so only negations need the
        strict (never NULL) form; skipping COALESCE elsewhere keeps the SQL as lean as
        hand-written SQL.
        """
        op, args = _split(node)
        if op in ("and", "or"):
            parts = [self.truth(a) for a in args]
            if not parts:
                return self.b.lit(False)
            return self.b.and_(parts) if op == "and" else self.b.or_(parts)
        if op in ("!", "!!"):
            inner = self.truth(args[0] if args else None)
            return self.b.not_(self.strict(inner)) if op == "!" else inner
        if op in ("if", "?:"):
            return self._if_truth(args)
        return self.truth_of(self.raw_value(node))

    def _if_truth(self, args: list) -> Any:
        whens = [(self.truth(args[i]), self.truth(args[i + 1])) for i in range(0, len(args) - 1, 2)]
        other = self.truth(args[-1]) if len(args) % 2 else self.b.lit(False)
        return self.b.case(whens, other) if whens else other

    def truth_of(self, t: Typed) -> Any:
        if t.is_const:
            return self.b.lit(truthy(t.const))
        if t.kind == "bool":
            return t.x
        if t.kind == "num":
            return self.b.cmp("!=", t.x, self.b.lit(0))
        if t.kind == "text":
            return self.b.cmp("!=", t.x, self.b.lit(""))
        return self.b.lit(False)

    def strict(self, x: Any) -> Any:
        return self.b.coalesce(x, self.b.lit(False))

    def _unless_null(self, x: Any, fallback: bool) -> Any:
        """x where it is not NULL, else the constant fallback."""
        return self.b.coalesce(x, self.b.lit(True)) if fallback else x

    # --- values ---------------------------------------------------------------------------

    def value(self, node: Any) -> Typed:
        t = self.raw_value(node)
        if t.kind == "bool" and t.null == "false":
            return Typed(self.strict(t.x), "bool", "", t.const)
        return t

    def raw_value(self, node: Any) -> Typed:
        """Like value(), but booleans may be NULL meaning false (null flag "false")."""
        if isinstance(node, list):
            raise Uncompilable("数组只能作为 in 的第二个参数")
        if not isinstance(node, dict):
            return self.const(node)
        op, args = _split(node)
        if op == "var":
            return self._var(args)
        handler = self.handlers.get(op)
        if handler is None:
            raise Uncompilable(f"运算符 {op} 暂不支持批量编译")
        operands = [] if op in ("and", "or", "if", "?:", "in") else [self.value(a) for a in args]
        if operands and all(o.is_const for o in operands):
            return self.const(engine.apply({op: [o.const for o in operands]}))
        return handler(op, args, operands)

    def _handler_table(self) -> dict:
        return {
            **{op: self._compare for op in _COMPARISONS},
            **{op: self._equality for op in _EQUALITIES},
            "!": lambda op, args, ops: self._boolean(
                self.b.not_(self.strict(self.truth_of(_first(ops))))
            ),
            "!!": lambda op, args, ops: self._boolean(self.truth_of(_first(ops))),
            "and": lambda op, args, ops: self._chain(args, stop_when=False),
            "or": lambda op, args, ops: self._chain(args, stop_when=True),
            "if": self._if_value,
            "?:": self._if_value,
            "+": self._add,
            "*": self._multiply,
            "-": self._subtract,
            "/": self._divide,
            "%": self._divide,
            "min": self._extreme,
            "max": self._extreme,
            "in": self._in,
            "cat": self._cat,
        }

    def const(self, value: Any) -> Typed:
        if value is None:
            return Typed(self.b.lit(None), "null", "null", None)
        if isinstance(value, bool):
            return Typed(self.b.lit(value), "bool", "", value)
        if is_number(value):
            return self._number_const(float(value) if not isinstance(value, int) else value)
        if isinstance(value, str):
            return Typed(self.b.lit(value), "text", "", value)
        raise Uncompilable("数组和对象值暂不支持批量编译")

    def _number_const(self, value: int | float) -> Typed:
        if value != value:
            return Typed(self.b.null_num(), "num", "nan", value)
        if isinstance(value, float) and math.isinf(value):
            raise Uncompilable("无穷大暂不支持批量编译")
        return Typed(self.b.lit(value), "num", "", value)

    def _boolean(self, x: Any) -> Typed:
        return Typed(x, "bool", "false")

    def _var(self, args: list) -> Typed:
        name = args[0] if args else None
        if not isinstance(name, str) or name not in self.columns:
            raise Uncompilable(f"字段 {name!r} 不是数据表中的列")
        column = Typed(self.b.col(name), COLUMN_KINDS[self.columns[name]], "null")
        if len(args) < 2 or args[1] is None:
            return column
        default = self.value(args[1])
        if not default.is_const or default.kind != column.kind:
            raise Uncompilable("var 的默认值必须是与该列同类型的常量")
        return Typed(self.b.coalesce(column.x, default.x), column.kind, default.null)

    # --- comparison handlers ------------------------------------------------------------
    # Here, not in comparisons.py: _operand and _nullish take the Compiler itself.

    def _compare(self, op: str, args: list, ops: list[Typed]) -> Typed:
        a, b = _operand(self, ops, 0), _operand(self, ops, 1)
        if op in (">", ">="):
            return self._boolean(self._less(b, a, op == ">="))
        result = self._less(a, b, op == "<=")
        if len(ops) > 2:
            result = self.b.and_([result, self._less(b, ops[2], op == "<=")])
        return self._boolean(result)

    def _equality(self, op: str, args: list, ops: list[Typed]) -> Typed:
        a, b = _nullish(self, ops, 0), _nullish(self, ops, 1)
        result = self.equals(a, b, strict=op in ("===", "!=="))
        return self._boolean(self.b.not_(self.strict(result)) if op.startswith("!") else result)


def _split(node: Any) -> tuple[str | None, list]:
    if not isinstance(node, dict) or len(node) != 1:
        return None, []
    ((op, args),) = node.items()
    return op, args if isinstance(args, list) else [args]


def _operand(compiler: Compiler, ops: list[Typed], i: int) -> Typed:
    # An absent operand is JavaScript undefined, which converts to NaN.
    return ops[i] if i < len(ops) else compiler.const(math.nan)


def _nullish(compiler: Compiler, ops: list[Typed], i: int) -> Typed:
    return ops[i] if i < len(ops) else compiler.const(None)
