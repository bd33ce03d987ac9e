"""The inputs of batch matching: policies and entity tables, loaded and checked; shared errors and limits.

Split from ``batch`` so that the engines (``batch_masks``, ``spark``) read these without importing ``batch``.
"""

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onething.rules import services as rules

from . import entityfiles
from .attributes import Attribute

ENGINES = ("auto", "duckdb", "polars", "spark", "python")  # auto is DuckDB, never Spark
SPARK_MASTER = "local[*]"  # --engine spark without --master: a local session
CHUNK = 62  # policies per query: one bit each in a BIGINT mask, sign bit left alone
# Columns with at most this many distinct values get a dictionary code column in DuckDB
# (UINT16 codes; the bitmap literal of an IN list is one character per value).
CODE_LIMIT = 4096
_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
# Ids sort as numbers when all are integers of this form (else as text), as in ``match``.
ID_INTEGER = r"-?(0|[1-9][0-9]{0,17})"
# DuckDB's memory for a file run; beyond it, sorts and tables spill to a temporary directory.
MEMORY_LIMIT = "2GB"


class BatchError(ValueError):
    """Bad input file; the message is Chinese and names the line or policy."""


@dataclass(frozen=True)
class Policy:
    code: str
    title: str
    condition: Any


@dataclass
class EntityTable:
    ids: list[str]
    types: dict[str, str]  # column -> "int" | "float" | "bool" | "text" (id excluded)
    columns: dict[str, list]  # column -> typed values, None for empty cells

    def __len__(self) -> int:
        return len(self.ids)

    def record(self, row: int) -> dict[str, Any]:
        return {name: values[row] for name, values in self.columns.items()}

    def row_of(self, entity_id: str) -> int:
        try:
            return self.ids.index(entity_id)
        except ValueError:
            raise BatchError(f"实体文件中没有 id 为 {entity_id} 的记录") from None


@dataclass
class MatchResult:
    pairs: list[tuple[str, str]]  # (entity_id, policy_code), sorted
    engine: str
    fallbacks: list[tuple[str, str]] = field(default_factory=list)  # (policy code, reason)
    seconds: float = 0.0
    hits: list[tuple[int, int]] = field(default_factory=list)  # (row, policy index)


# --- policies ------------------------------------------------------------------------------


def load_policies(path: str | Path) -> list[Policy]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError(f"无法读取策略文件 {path}：{error}") from error
    if not isinstance(data, list):
        raise BatchError("策略文件必须是 JSON 数组")
    return [_policy(item, i) for i, item in enumerate(data)]


def _policy(item: Any, index: int) -> Policy:
    if not isinstance(item, dict) or not {"code", "title", "condition"} <= item.keys():
        raise BatchError(f"第 {index + 1} 条策略缺少 code、title 或 condition")
    return Policy(str(item["code"]), str(item["title"]), item["condition"])


def check_policies(policies: list[Policy], columns: Iterable[str]) -> list[str]:
    """Chinese messages, one per problem, naming the policy code and the path in the rule."""
    known, problems, seen = set(columns) | {"id"}, [], set()
    for policy in policies:
        if policy.code in seen:
            problems.append(f"策略 {policy.code}：编码重复")
        seen.add(policy.code)
        for error in rules.validate(policy.condition, variables=known):
            problems.append(f"策略 {policy.code}：{error.path}：{error.message}")
    return problems


# --- entities ------------------------------------------------------------------------------


def used_columns(policies: list[Policy]) -> set[str]:
    """The attributes the policies read (``id`` aside)."""
    names = set().union(*(rules.variables_of(p.condition) for p in policies)) if policies else set()
    return names - {"id", ""}


def load_entities(
    path: str | Path, declared: dict[str, Attribute], used: Iterable[str] | None = None
) -> EntityTable:
    """The entity file with the declared types, in memory (for the per-record and Spark
    engines, explanations and tests; ``match_files`` keeps large files in DuckDB)."""
    names = set(used if used is not None else _file_columns(path, declared))
    with _duckdb() as connection:
        _load(connection, path, declared, names)
        return _table_from(connection, declared, sorted(names))


def _file_columns(path, declared: dict[str, Attribute]) -> set[str]:
    """The declared columns of the file (for explanations: every attribute it has)."""
    with _duckdb() as connection:
        columns = entityfiles._header(connection, path, entityfiles.file_format(path))
    return set(columns) & set(declared)


def _load(connection, path, declared: dict[str, Attribute], names: set[str]) -> int:
    undeclared = sorted(names - set(declared))
    if undeclared:
        raise BatchError(
            f"字段 {'、'.join(undeclared)} 未在数据元目录（data/catalog/data_elements.yaml）"
            "中声明，请用 --schema 文件声明其类型"
        )
    try:
        return entityfiles.load(connection, path, declared, names)
    except entityfiles.EntityFileError as error:
        raise BatchError(str(error)) from error


def _table_from(connection, declared: dict[str, Attribute], names: list[str]) -> EntityTable:
    columns = ", ".join(["id", *(entityfiles.ident(n) for n in names)])
    rows = connection.execute(
        f"SELECT {columns} FROM {entityfiles.TABLE} ORDER BY rowid"
    ).fetchall()
    values = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 1)
    types = {n: declared[n].kind for n in names}
    return EntityTable(
        list(values[0]), types, {n: list(values[i + 1]) for i, n in enumerate(names)}
    )


class _duckdb:
    """A private in-memory DuckDB bounded in memory, spilling to a temporary directory."""

    def __enter__(self):
        import duckdb

        self.directory = tempfile.TemporaryDirectory()
        self.connection = duckdb.connect(
            config={"memory_limit": MEMORY_LIMIT, "temp_directory": self.directory.name}
        )
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()
        self.directory.cleanup()
