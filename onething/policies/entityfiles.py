"""Entity files (CSV or Parquet) read into DuckDB with the declared attribute types.

One scan reads the file: every used column is converted by its declared type (a CSV cell
must match the type's pattern exactly: no rounding, no trimming, no integer from "007") and
a flag column records cells that do not fit. Any flag, a missing or repeated id, or a ragged
row is an error naming the file, the line and the column; the first one in the file is found
by reading the file again in Python, only then. Nothing is guessed from the data.
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
    """Whether anything is wrong is asked of DuckDB; where, of the file itself (DuckDB keeps
    no reliable record position: its table order is not the file's at 1 M rows, measured)."""
    flags = [f"count_if({ident('__bad_' + n)})" for n in names]
    missing = "count_if(id IS NULL OR trim(id) = '')"
    duplicates = f"(SELECT count(*) FROM (SELECT id FROM {TABLE} GROUP BY id HAVING count(*) > 1))"
    found = connection.execute(
        f"SELECT {', '.join([missing, duplicates, *flags])} FROM {TABLE}"
    ).fetchone()
    if any(found):
        flagged = [n for n, count in zip(names, found[2:], strict=True) if count]
        records = _csv_records(path) if fmt == "csv" else _parquet_records(connection, path, names)
        _raise_first_problem(path, fmt, records, attributes, flagged)
        raise EntityFileError(f"实体文件 {path}：数据有误")  # unreachable when DuckDB agrees


def _csv_records(path):
    """(line, {column: cell or None}) per record, the line where the record ends."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for record in reader:
            yield (
                reader.line_num,
                {n: (v if v != "" else None) for n, v in zip(header, record, strict=False)},
            )


def _parquet_records(connection, path, names: list[str]):
    """(record number, {column: value as text}) per record, in file order."""
    columns = ", ".join(f"CAST({ident(n)} AS VARCHAR) AS {ident(n)}" for n in ["id", *names])
    result = connection.execute(
        f"SELECT file_row_number, {columns} FROM read_parquet({sql_text(str(path))}, "
        "file_row_number = true) ORDER BY file_row_number"
    )
    while rows := result.fetchmany(10_000):
        for row in rows:
            yield row[0] + 1, dict(zip(["id", *names], row[1:], strict=True))


def _raise_first_problem(path, fmt: str, records, attributes, names: list[str]) -> None:
    where = "第 {} 行" if fmt == "csv" else "第 {} 条记录"
    seen: dict[str, int] = {}
    for position, record in records:
        at = f"实体文件 {path} {where.format(position)}"
        entity_id = record.get("id")
        if entity_id is None or not entity_id.strip():
            raise EntityFileError(f"{at}：缺少 id")
        for name in names:
            value = record.get(name)
            attribute = attributes[name]
            if value is not None and not attribute.fits(value):
                raise EntityFileError(
                    f"{at}，列 {name}（{attribute.label}）：值 {value!r} 不符合声明的类型，"
                    f"应为{attribute.expected}"
                )
        if entity_id in seen:
            first = where.format(seen[entity_id])
            raise EntityFileError(f"{at}：id {entity_id} 重复（首次出现在{first}）")
        seen[entity_id] = position


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
