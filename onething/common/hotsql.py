"""Hand-written SQL for the few statements on the busiest path (submitting a case).

The ORM compiles every query anew: 0.2–0.5 ms of Python for a one-row read or insert, several
times what PostgreSQL spends running it, and most of what a submission costs. Here a statement's
text is built once per connection, model and shape; values go through the fields' own
``get_db_prep_*`` and rows through the fields' own converters (decryption, SQLite dates and
UUIDs), so callers get the same model instances the ORM would give them.

Only what the hot path needs: reads by exact and ``__in`` matches (with ``select_related``-style
joins), inserts and updates by exact match. ``create`` sends ``pre_save``/``post_save`` as
``Model.save`` does; ``bulk_insert`` and ``update`` send none, as ``bulk_create`` and
``QuerySet.update`` do not. None of them writes an audit row or an event: the calling service
does (``common.events.record_event``). Statements run on one cursor kept per connection and
thread (see ``_run``).

Fenced: only the statements the intake benchmark proved worth it — the case submission's (its
event, audit row and notice included) and the API token read — may use this module
(``common/tests/test_hotsql_fence.py`` lists the modules). A model with its own ``save()`` is
refused (this path would skip it), except the append-only guard, which refuses nothing an insert
does. Everything else stays with the ORM.
"""

import threading
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import Query

from .models import AppendOnly


@dataclass(frozen=True)
class _Segment:
    model: type
    start: int
    end: int
    parent: int | None  # index of the segment whose foreign key this one fills
    field: object  # that foreign key
    pk: int  # position of the primary key within the segment
    outer: bool  # reached through a nullable key: its columns may all be NULL


@dataclass(frozen=True)
class _Read:
    sql: str
    fields: tuple  # the model field behind each parameter, in order
    segments: tuple
    converters: dict
    compiler: object


def refuse_own_save(model, *, changing: bool = False) -> None:
    """A model whose ``save()`` does more than store the row (derived fields, encryption
    stamps) cannot be written here: the statement would skip that code. The append-only guard
    (``AppendOnly``) refuses changing a stored row, so such a model may be read and inserted
    here, never updated."""
    plain = (Model.save,) if changing else (Model.save, AppendOnly.save)
    if model.save not in plain:
        raise TypeError(f"hotsql refuses {model._meta.label}: it defines its own save()")


def select(model, where: dict, *, related=(), limit=None, using=DEFAULT_DB_ALIAS) -> list:
    """``model.objects.select_related(*related).filter(**where)[:limit]`` as a list."""
    refuse_own_save(model)
    connection = connections[using]
    shape = tuple((k, len(v) if k.endswith("__in") else None) for k, v in where.items())
    plan = _plan(connection, ("select", model, shape, tuple(related), limit), _read_plan)
    params = _params(plan.fields, where.values(), connection)
    rows = _run(connection, plan.sql, params, fetch=True)
    if plan.converters:
        rows = plan.compiler.apply_converters(rows, plan.converters)
    return [_instances(plan.segments, row, using) for row in rows]


def create(obj: Model, *, using=DEFAULT_DB_ALIAS) -> Model:
    """``obj.save()`` for a new row, with its signals."""
    refuse_own_save(type(obj))
    pre_save.send(sender=type(obj), instance=obj, raw=False, using=using, update_fields=None)
    bulk_insert([obj], using=using)
    post_save.send(
        sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=using
    )
    return obj


def bulk_insert(objs: list, *, ignore_conflicts=False, using=DEFAULT_DB_ALIAS) -> list:
    """``bulk_create``: one multi-row INSERT; primary keys set unless conflicts are ignored."""
    if not objs:
        return objs
    connection, model = connections[using], type(objs[0])
    refuse_own_save(model)
    if model._meta.auto_field and any(obj.pk is not None for obj in objs):
        raise ValueError("hotsql inserts new rows only")
    key = ("insert", model, len(objs), ignore_conflicts)
    sql, fields, returning = _plan(connection, key, _insert_plan)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    ids = _run(connection, sql, params, fetch=bool(returning))
    if returning:
        for obj, (pk,) in zip(objs, ids, strict=True):
            setattr(obj, returning.attname, pk)
    for obj in objs:
        obj._state.adding, obj._state.db = False, using
    return objs


def update(model, where: dict, values: dict, *, using=DEFAULT_DB_ALIAS) -> int:
    """``model.objects.filter(**where).update(**values)`` (exact matches only)."""
    refuse_own_save(model, changing=True)
    connection = connections[using]
    key = ("update", model, tuple(values), tuple(where))
    sql, set_fields, where_fields = _plan(connection, key, _update_plan)
    params = [
        f.get_db_prep_save(_raw(v), connection)
        for f, v in zip(set_fields, values.values(), strict=True)
    ]
    params += _params(where_fields, where.values(), connection)
    return _run(connection, sql, params, fetch=False)


# ---- running a statement -----------------------------------------------------------------


def _run(connection, sql: str, params: list, *, fetch: bool):
    """Rows (``fetch``) or the row count. Django's cursor wrapper costs 30–50 µs a statement;
    a cursor kept per connection and thread, with Django's own checks and error translation, does
    not. While queries are logged (DEBUG, ``assertNumQueries``) or wrapped, Django's path is taken,
    so such statements are seen and counted like any other."""
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else cursor.rowcount
    cursor = _cursor(connection)
    with connection.wrap_database_errors:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else cursor.rowcount


def _cursor(connection):
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw, thread = connection.connection, threading.get_ident()
    held = connection.__dict__.get("_hotsql_cursor")
    # Compared by identity, not id(): a reconnect could reuse a freed object's id. A new database
    # connection (or another thread) gets a new cursor, set up as Django sets up its own.
    if held is None or held[0] is not raw or held[1] != thread:
        held = connection.__dict__["_hotsql_cursor"] = (raw, thread, connection.create_cursor())
    return held[2]


# ---- plans: built once per connection (converters are bound to it) ----------------------------


def _plan(connection, key, build):
    plans = connection.__dict__.setdefault("_hotsql_plans", {})
    if key not in plans:
        plans[key] = build(connection, *key[1:])
    return plans[key]


def _read_plan(connection, model, shape, related, limit) -> _Read:
    qn = connection.ops.quote_name
    segments, columns, joins = [], [], [f"{qn(model._meta.db_table)} t0"]
    aliases = {"": 0}
    for path in ("", *related):
        parent_path, _, name = path.rpartition("__")
        parent = aliases[parent_path] if path else None
        fk = segments[parent].model._meta.get_field(name) if path else None
        target = fk.related_model if fk else model
        n = aliases[path] = len(segments)
        outer = bool(fk) and (fk.null or segments[parent].outer)
        if fk:
            kind = "LEFT OUTER JOIN" if outer else "INNER JOIN"
            joins.append(
                f"{kind} {qn(target._meta.db_table)} t{n} "
                f"ON t{n}.{qn(fk.target_field.column)} = t{parent}.{qn(fk.column)}"
            )
        fields = target._meta.concrete_fields
        pk = fields.index(target._meta.pk)
        segments.append(
            _Segment(target, len(columns), len(columns) + len(fields), parent, fk, pk, outer)
        )
        columns += [f.get_col(f"t{n}") for f in fields]
    conditions, params = _conditions(model, shape, qn, alias="t0.")
    sql = f"SELECT {', '.join(_column_sql(c, qn) for c in columns)} FROM {' '.join(joins)}"
    sql += f" WHERE {' AND '.join(conditions)}" + (f" LIMIT {int(limit)}" if limit else "")
    compiler = Query(model).get_compiler(connection=connection)
    return _Read(sql, params, tuple(segments), compiler.get_converters(columns), compiler)


def _insert_plan(connection, model, rows, ignore_conflicts):
    meta, ops, qn = model._meta, connection.ops, connection.ops.quote_name
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    returning = meta.auto_field if not ignore_conflicts else None
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"{ops.insert_statement(on_conflict=on_conflict)} {qn(meta.db_table)} "
        f"({', '.join(qn(f.column) for f in fields)}) VALUES {', '.join([one] * rows)}"
    )
    suffix = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    if suffix:
        sql += " " + suffix
    if returning:
        sql += " " + ops.return_insert_columns([returning])[0]
    return sql, fields, returning


def _update_plan(connection, model, set_names, where_names):
    meta, qn = model._meta, connection.ops.quote_name
    set_fields = [meta.get_field(name) for name in set_names]
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in set_fields)
    conditions, where_fields = _conditions(model, tuple((k, None) for k in where_names), qn, "")
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {' AND '.join(conditions)}"
    return sql, set_fields, where_fields


def _conditions(model, shape, qn, alias: str) -> tuple[list, tuple]:
    conditions, fields = [], []
    for key, count in shape:
        name = key.removesuffix("__in")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        column = f"{alias}{qn(field.column)}"
        if count is None:
            conditions.append(f"{column} = %s")
            fields.append(field)
        else:  # an empty list matches nothing, as in the ORM
            conditions.append(f"{column} IN ({', '.join(['%s'] * count)})" if count else "1 = 0")
            fields.append((field, count))
    return conditions, tuple(fields)


def _column_sql(col, qn) -> str:
    return f"{col.alias}.{qn(col.target.column)}"


def _params(fields, values, connection) -> list:
    out = []
    for field, value in zip(fields, values, strict=True):
        if isinstance(field, tuple):
            out += [_prep(field[0], v, connection) for v in value]
        else:
            out.append(_prep(field, value, connection))
    return out


def _prep(field, value, connection):
    return field.get_db_prep_value(_raw(value), connection, prepared=False)


def _raw(value):
    # A model instance stands for its primary key, as in a foreign-key filter.
    return value.pk if isinstance(value, Model) else value


def _instances(segments, row, using):
    objs = []
    for seg in segments:
        values = row[seg.start : seg.end]
        obj = None if values[seg.pk] is None else seg.model.from_db(using, (), values)
        objs.append(obj)
        if seg.field is not None and objs[seg.parent] is not None:
            seg.field.set_cached_value(objs[seg.parent], obj)
    return objs[0]
