"""JsonLogic compiled to columnar expressions (DuckDB / PostgreSQL / Spark SQL, Polars).

A compiled rule yields, for every row, exactly ``truthy(evaluate(rule, row))`` of the
per-record engine. The typing below is what makes that hold: each sub-expression knows its
JavaScript type (number, boolean, text or null) and what a SQL NULL in it stands for —
a JavaScript ``null`` (a column cell) or ``NaN`` (a failed number conversion). Anything
outside the supported subset raises ``Uncompilable`` so that callers fall back to the
per-record engine.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import engine
from .backends import Backend, PolarsBackend, SqlBackend, Uncompilable
from .jsvalues import is_number, parse_float, to_number, to_string, truthy

COLUMN_KINDS = {"int": "num", "float": "num", "bool": "bool", "text": "text"}
_NO_CONST = object()
_COMPARISONS = {"<", "<=", ">", ">="}
_EQUALITIES = {"==", "!=", "===", "!=="}


@dataclass(frozen=True)
class Typed:
    """A compiled sub-expression with its JavaScript type.

    ``null`` tells what SQL NULL means here: "" (never NULL), "null" (JavaScript null,
    from a column) or "nan" (NaN, from arithmetic or a failed conversion).
    """

    x: Any
    kind: str  # "num" | "bool" | "text" | "null"
    null: str = ""
    const: Any = field(default=_NO_CONST, compare=False)

    @property
    def is_const(self) -> bool:
        return self.const is not _NO_CONST


class Compiler:
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

    # --- numbers --------------------------------------------------------------------------

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

    # --- comparisons ----------------------------------------------------------------------

    def _compare(self, op: str, args: list, ops: list[Typed]) -> Typed:
        a, b = _operand(self, ops, 0), _operand(self, ops, 1)
        if op in (">", ">="):
            return self._boolean(self._less(b, a, op == ">="))
        result = self._less(a, b, op == "<=")
        if len(ops) > 2:
            result = self.b.and_([result, self._less(b, ops[2], op == "<=")])
        return self._boolean(result)

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

    def _equality(self, op: str, args: list, ops: list[Typed]) -> Typed:
        a, b = _nullish(self, ops, 0), _nullish(self, ops, 1)
        result = self.equals(a, b, strict=op in ("===", "!=="))
        return self._boolean(self.b.not_(self.strict(result)) if op.startswith("!") else result)

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

    # --- membership and text --------------------------------------------------------------

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

    # --- value-returning control flow -----------------------------------------------------

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


def _split(node: Any) -> tuple[str | None, list]:
    if not isinstance(node, dict) or len(node) != 1:
        return None, []
    ((op, args),) = node.items()
    return op, args if isinstance(args, list) else [args]


def _first(ops: list[Typed]) -> Typed:
    return ops[0] if ops else Typed(None, "null", "null", None)


def _operand(compiler: Compiler, ops: list[Typed], i: int) -> Typed:
    # An absent operand is JavaScript undefined, which converts to NaN.
    return ops[i] if i < len(ops) else compiler.const(math.nan)


def _nullish(compiler: Compiler, ops: list[Typed], i: int) -> Typed:
    return ops[i] if i < len(ops) else compiler.const(None)


def _finite_nonzero(value: Any) -> bool:
    return value == value and value != 0 and not math.isinf(value)


def _js_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return "num" if is_number(value) else "text"


@dataclass(frozen=True)
class Compiled:
    """A rule in columnar form.

    ``sql`` / ``expr`` are never NULL (SQL boolean expression, Polars expression).
    ``condition_sql`` / ``condition_expr`` may be NULL where the rule is false: use them in
    WHERE or CASE WHEN (and Polars ``when``), where they are faster.
    """

    dialect: str
    sql: str | None = None
    condition_sql: str | None = None
    expr: Any = None
    condition_expr: Any = None
    ok: bool = True


@dataclass(frozen=True)
class NotCompiled:
    """Marker: the caller must evaluate this rule per record; ``reason`` is for the user."""

    dialect: str
    reason: str
    ok: bool = False


def compile_rule(
    rule: Any,
    *,
    dialect: str = "duckdb",
    columns: Mapping[str, str],
    codes: Mapping[str, list] | None = None,
) -> Compiled | NotCompiled:
    backend = PolarsBackend() if dialect == "polars" else SqlBackend(dialect, codes)
    compiler = Compiler(columns, backend)
    try:
        condition = compiler.truth(rule)
    except Uncompilable as error:
        return NotCompiled(dialect, str(error))
    strict = compiler.strict(condition)
    if dialect == "polars":
        return Compiled(dialect, expr=strict, condition_expr=condition)
    return Compiled(dialect, sql=backend.render(strict), condition_sql=backend.render(condition))
