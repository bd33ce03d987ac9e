"""Entity files (CSV or Parquet) read into DuckDB with the declared attribute types.

One scan reads the file: every used column is converted by its declared type (a CSV cell
must match the type's pattern exactly: no rounding, no trimming, no integer from "007") and
a flag column records cells that do not fit. Any flag, a missing or repeated id, or a ragged
row is an error naming the file, the line and the column; the exact line is found by reading
the CSV again in Python, only then. Nothing is guessed from the data.
"""

import csv
from pathlib import Path

import duckdb

from .attributes import Attribute

TABLE = (
    "entities"  # columns: id (text), the used attributes, __bad_<name> flags; rowid = file order
)


class EntityFileError(ValueError):
    """Bad entity file; the message is Chinese and names the file, line and column."""


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise EntityFileError(f"实体文件 {path}：只支持 .csv 和 .parquet")
    return suffix[1:]


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load(
    connection: duckdb.DuckDBPyConnection,
    path: str | Path,
    attributes: dict[str, Attribute],
    used: set[str],
) -> int:
    """Create table ``entities`` from ``path``; returns its row count."""
    fmt = file_format(path)
    columns = _header(connection, path, fmt)
    missing = sorted(used - set(columns))
    if missing:
        raise EntityFileError(f"实体文件 {path}：缺少政策用到的列 {'、'.join(missing)}")
    source = _source(path, fmt, columns)
    selects = [f"CAST({ident('id')} AS VARCHAR) AS id"]
    flags = []
    for name in sorted(used):
        value, bad = _typed(ident(name), attributes[name], columns[name], path)
        selects.append(f"{value} AS {ident(name)}")
        flags.append(f"{bad} AS {ident('__bad_' + name)}")
    sql = f"CREATE TABLE {TABLE} AS SELECT {', '.join(selects + flags)} FROM {source}"
    try:
        connection.execute(sql)
    except duckdb.Error as error:
        _raise_csv_problem(path) if fmt == "csv" else None
        raise EntityFileError(f"无法读取实体文件 {path}：{error}") from error
    _check(connection, path, fmt, attributes, sorted(used))
    return connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def _header(connection, path, fmt: str) -> dict[str, str]:
    """Column name -> DuckDB type of the file (VARCHAR for every CSV column)."""
    if fmt == "csv":
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle), None)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise EntityFileError(f"无法读取实体文件 {path}：{error}") from error
        types = dict.fromkeys(header or [], "VARCHAR")
        if header and len(types) != len(header):
            raise EntityFileError(f"实体文件 {path} 第 1 行：列名重复")
    else:
        try:
            rows = connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet({sql_text(str(path))})"
            ).fetchall()
        except duckdb.Error as error:
            raise EntityFileError(f"无法读取实体文件 {path}：{error}") from error
        types = {row[0]: row[1] for row in rows}
    if "id" not in types:
        raise EntityFileError(f"实体文件 {path} 第 1 行必须是表头，且包含 id 列")
    return types


def _source(path, fmt: str, columns: dict[str, str]) -> str:
    if fmt == "parquet":
        return f"read_parquet({sql_text(str(path))})"
    spec = ", ".join(f"{sql_text(name)}: 'VARCHAR'" for name in columns)
    return (
        f"read_csv({sql_text(str(path))}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {{{spec}}})"
    )


def _typed(column: str, attribute: Attribute, stored: str, path) -> tuple[str, str]:
    """(typed value, "does not fit" flag) SQL for one column."""
    kind = attribute.kind
    if stored != "VARCHAR":
        return _typed_binary(column, attribute, stored, path)
    if attribute.type == "enum":
        options = ", ".join(sql_text(v) for v in attribute.options)
        fits = f"{column} IN ({options})"
    elif attribute.pattern:
        fits = f"regexp_full_match({column}, {sql_text(attribute.pattern)})"
        if attribute.type == "date":
            fits = f"({fits} AND TRY_CAST({column} AS DATE) IS NOT NULL)"
    else:
        return column, "FALSE"
    cast = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}.get(kind)
    converted = f"CAST({column} AS {cast})" if cast else column
    return f"(CASE WHEN {fits} THEN {converted} END)", f"({column} IS NOT NULL AND NOT {fits})"


_BINARY = {
    "int": {
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    },
    "bool": {"BOOLEAN"},
}
_BINARY["float"] = _BINARY["int"] | {"DOUBLE", "FLOAT"}


def _typed_binary(column: str, attribute: Attribute, stored: str, path) -> tuple[str, str]:
    """A Parquet column stored as a number or boolean: only where that is the declared kind.
    A code stored as a number has lost its leading zeros already: refused, not converted."""
    if stored not in _BINARY.get(attribute.kind, set()):
        raise EntityFileError(
            f"实体文件 {path}，列 {attribute.name}（{attribute.label}）：文件中的类型是 {stored}，"
            f"声明的类型是{attribute.expected}；请按声明的类型存储（代码请存为文本）"
        )
    cast = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN"}[attribute.kind]
    return f"CAST({column} AS {cast})", "FALSE"


def _check(connection, path, fmt: str, attributes, names: list[str]) -> None:
    flags = [f"min(CASE WHEN {ident('__bad_' + n)} THEN rowid END)" for n in names]
    missing = "min(CASE WHEN id IS NULL OR trim(id) = '' THEN rowid END)"
    found = connection.execute(f"SELECT {', '.join([missing, *flags])} FROM {TABLE}").fetchone()
    if found[0] is not None:
        raise EntityFileError(f"实体文件 {path} {_where(path, fmt, found[0])}：缺少 id")
    bad = [(row, name) for name, row in zip(names, found[1:], strict=True) if row is not None]
    if bad:
        row, name = min(bad)
        _raise_bad_value(path, fmt, row, attributes[name])
    duplicate = connection.execute(
        f"SELECT id, list(rowid ORDER BY rowid)[1:2] FROM {TABLE} GROUP BY id "
        "HAVING count(*) > 1 ORDER BY min(rowid) LIMIT 1"
    ).fetchone()
    if duplicate:
        first, second = duplicate[1]
        raise EntityFileError(
            f"实体文件 {path} {_where(path, fmt, second)}：id {duplicate[0]} 重复"
            f"（首次出现在{_where(path, fmt, first)}）"
        )


def _raise_bad_value(path, fmt: str, row: int, attribute: Attribute) -> None:
    value = _cell(path, row, attribute.name) if fmt == "csv" else None
    shown = f"值 {value!r} " if value is not None else ""
    raise EntityFileError(
        f"实体文件 {path} {_where(path, fmt, row)}，列 {attribute.name}（{attribute.label}）："
        f"{shown}不符合声明的类型，应为{attribute.expected}"
    )


def _where(path, fmt: str, row: int) -> str:
    if fmt == "parquet":
        return f"第 {row + 1} 条记录"
    return f"第 {_line_of(path, row)} 行"


def _line_of(path, row: int) -> int:
    """The physical line where record ``row`` (0-based, after the header) ends."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for index, _ in enumerate(reader):
            if index == row:
                return reader.line_num
    return row + 2


def _cell(path, row: int, name: str) -> str | None:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for index, record in enumerate(reader):
            if index == row:
                return record[header.index(name)]
    return None


def _raise_csv_problem(path) -> None:
    """DuckDB refused the file: find the first ragged row in Python for a precise message."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for record in reader:
            if len(record) != width:
                raise EntityFileError(
                    f"实体文件 {path} 第 {reader.line_num} 行：有 {len(record)} 列，表头有 {width} 列"
                )
