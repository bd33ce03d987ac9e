"""Reads for the catalog: published one-things, blueprints and catalog-wide figures."""

import copy
import json
import pickle

from django.db import connection
from django.db.models import Q

from onething.accounts.models import Region

from . import compiler
from .models import OneClass, OneThing, OneThingVersion, Synonym


def onethings_visible(
    *,
    region: Region | None = None,
    subject: str | None = None,
    stage: str | None = None,
    q: str = "",
):
    """The provincial list plus the local additions of the viewer's region and its parents."""
    qs = (
        OneThing.objects.filter(versions__isnull=False).distinct().select_related("lead_department")
    )
    local = Q(region__isnull=True)
    node = region
    while node is not None:
        local |= Q(region=node)
        node = node.parent
    qs = qs.filter(local)
    if subject:
        qs = qs.filter(subject=subject)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(code__icontains=q))
    return qs.order_by("subject", "stage", "code")


def version_latest(code: str) -> OneThingVersion | None:
    """The newest version, from a per-process cache keyed by what could make it stale."""
    key = _latest_key(code)
    if key is None:
        return None
    if key not in _VERSIONS:
        if len(_VERSIONS) > 1024:
            _VERSIONS.clear()
        _VERSIONS[key] = OneThingVersion.objects.select_related("onething").get(pk=key[0])
    # A shallow copy per caller: Django copies the instance state, the snapshot stays shared.
    return copy.copy(_VERSIONS[key])


_VERSIONS: dict[tuple, OneThingVersion] = {}

# Hand-written because it runs on every submission and compiling the ORM query cost ten times the
# query itself (0.5 ms against 0.05 ms). Versions are immutable, so (pk, digest) names one
# snapshot forever; the one-thing's updated_at covers edits to the draft row the version carries.
_LATEST_SQL = (
    "SELECT v.id, v.digest, o.updated_at FROM catalog_onethingversion v "
    "JOIN catalog_onething o ON o.code = v.onething_id "
    "WHERE v.onething_id = %s ORDER BY v.number DESC LIMIT 1"
)


def _latest_key(code: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(_LATEST_SQL, [code])
        row = cursor.fetchone()
    return tuple(row) if row else None


def version_get(code: str, number: int) -> OneThingVersion | None:
    return (
        OneThingVersion.objects.filter(onething_id=code, number=number)
        .select_related("onething")
        .first()
    )


_CACHE: dict[tuple[int, str, str], bytes] = {}


def blueprint(version: OneThingVersion, answers: dict | None = None) -> dict:
    """Compile a version; cached because versions are immutable, so a key never goes stale."""
    key = (
        version.pk,
        version.digest,
        json.dumps(answers or {}, sort_keys=True, ensure_ascii=False),
    )
    if key not in _CACHE:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        # Pickled: unpickling a fresh copy for each caller is several times cheaper than deepcopy.
        _CACHE[key] = pickle.dumps(compiler.compile_blueprint(version.snapshot, answers))
    bp = pickle.loads(_CACHE[key])
    bp["onething"]["status"] = version.onething.status
    bp["onething"]["version"] = version.number
    return bp


def summaries(*, region: Region | None = None) -> list[dict]:
    """One row per visible one-thing with its default-situation reductions (catalog list, CLI)."""
    rows = []
    for ot in onethings_visible(region=region):
        version = version_latest(ot.code)
        bp = blueprint(version)
        rows.append(
            {
                "code": ot.code,
                "name": ot.name,
                "subject": ot.subject,
                "stage": ot.stage,
                "version": version.number,
                "status": ot.status,
                "item_count": len(version.snapshot["items"]),
                "department_count": len(
                    {i["department"]["code"] for i in version.snapshot["items"]}
                ),
                "reductions": bp["reductions"]["percent"],
                "figures": _figures(bp["reductions"]),
                "meets_target": bp["reductions"]["meets_target"],
                "shortfalls": bp["reductions"]["shortfalls"],
            }
        )
    return rows


def _figures(reductions: dict) -> dict:
    """Before, after, percent and the flag per figure (versions compiled before issue #20 lack
    the flags: they are derived from the shortfalls then)."""
    figures = reductions.get("figures") or {}
    out = {}
    for key in ("time", "materials", "steps", "visits"):
        fig = figures.get(key, {})
        flagged = fig.get("flagged", key in reductions["shortfalls"])
        out[key] = {
            "before": reductions["before"][key],
            "after": reductions["after"][key],
            "percent": reductions["percent"][key],
            "flagged": flagged,
            "reason": fig.get("reason")
            or (f"压减 {reductions['percent'][key]}%，未达目标" if flagged else None),
        }
    return out


def catalog_averages(rows: list[dict]) -> dict:
    keys = ["time", "materials", "steps", "visits"]
    n = len(rows) or 1
    return {k: round(sum(r["reductions"][k] for r in rows) / n, 1) for k in keys}


def catalog_plan(rows: list[dict]) -> dict:
    """Catalog-wide planned averages against the province's target, and who falls short why."""
    from .constants import REFORM_TARGET_PERCENT

    averages = catalog_averages(rows)
    short = [
        {
            "code": r["code"],
            "name": r["name"],
            "reasons": [r["figures"][k]["reason"] for k in r["shortfalls"]],
        }
        for r in rows
        if r["shortfalls"]
    ]
    return {
        "count": len(rows),
        "averages": averages,
        "target": REFORM_TARGET_PERCENT,
        "meets": {k: averages[k] >= REFORM_TARGET_PERCENT for k in ("time", "materials")},
        "short": short,
    }


def oneclasses():
    return OneClass.objects.prefetch_related("onethings").order_by("code")


def latest_snapshots() -> list[dict]:
    """The newest published snapshot of every one-thing (local additions included)."""
    newest: dict[str, dict] = {}
    rows = OneThingVersion.objects.order_by("onething_id", "-number").values_list(
        "onething_id", "snapshot"
    )
    for code, snapshot in rows.iterator():
        newest.setdefault(code, snapshot)
    return list(newest.values())


def element_names(codes) -> dict[str, str]:
    """Data element code → its name (一张表单's field labels), for logs that stored codes."""
    from .models import DataElement

    return dict(DataElement.objects.filter(code__in=list(codes)).values_list("code", "name"))


def option_labels(codes) -> dict[str, dict[str, str]]:
    """Enumerated data element code → {stored value: its label} (male → 男), for faces that
    stored the value."""
    from .models import DataElement

    rows = DataElement.objects.filter(code__in=list(codes)).exclude(options=[])
    return {e.code: {o["value"]: o["label"] for o in e.options} for e in rows}


def synonym_groups() -> list[tuple[str, list[str]]]:
    return [(s.canonical, list(s.terms or [])) for s in Synonym.objects.order_by("order", "id")]


def change_fingerprint() -> tuple:
    """Aggregates that change whenever a version, one-class or synonym changes (one round trip,
    because the assistant checks it before every query)."""
    v, c, s = (m._meta.db_table for m in (OneThingVersion, OneClass, Synonym))
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {v}), (SELECT MAX(id) FROM {v}),"
        f" (SELECT COUNT(*) FROM {c}), (SELECT MAX(updated_at) FROM {c}),"
        f" (SELECT COUNT(*) FROM {s}), (SELECT MAX(id) FROM {s}),"
        f" (SELECT SUM(LENGTH(canonical) + LENGTH(CAST(terms AS TEXT)) + id) FROM {s})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def codes_matching(q: str) -> list[str]:
    """One-things a person's own words find, best match first: the name, description, 俗称 and
    keywords, with the catalog's synonyms (开饭店 → 餐饮) and, failing those, the words of ``q``
    (孩子出生 → 孩子, 出生).

    Order: the name or a 俗称 itself (also inside the person's words: 我要开饭店), then ``q`` inside
    the name, inside a 俗称, then a synonym in either, then a keyword, then the description alone; found by
    the words of ``q``: by how many of them match (then how many in the name, 俗称 and keywords).
    Ties in catalog order (subject, stage, code)."""
    synonyms = {
        s.canonical for s in Synonym.objects.all() if any(t in q or q in t for t in s.terms)
    }
    rows = _search_rows()
    found = [(_phrase_rank(q, synonyms, *texts), n, code) for n, (code, *texts) in enumerate(rows)]
    if ranked := sorted(f for f in found if f[0] is not None):
        return [code for *_, code in ranked]
    import rjieba  # only when the whole phrase found nothing

    words = {w for w in rjieba.cut(q) if len(w) >= 2}
    scored = []
    for n, (code, names, keywords, description) in enumerate(rows):
        strong = [w for w in words if any(w in t for t in names + keywords)]
        weak = [w for w in words if w in description and w not in strong]
        if strong or weak:
            scored.append((-len(strong) - len(weak), -len(strong), n, code))
    return [code for *_, code in sorted(scored)]


def _search_rows() -> list[tuple[str, list[str], list[str], str]]:
    """(code, name and 俗称, keywords, description) of every one-thing, in catalog order."""
    rows = OneThing.objects.order_by("subject", "stage", "code").values_list(
        "code", "name", "aliases", "keywords", "description"
    )
    return [
        (code, [name, *(aliases or [])], [k for k in keywords or [] if k], description or "")
        for code, name, aliases, keywords, description in rows
    ]


def _phrase_rank(q: str, synonyms: set[str], names, keywords, description) -> int | None:
    """0 the name or a 俗称 (also inside q), 1 q inside the name, 2 inside a 俗称, 3 a synonym in
    either, 4 a keyword (q or a synonym), 5 the description only; None when neither q nor its
    synonyms match."""

    def hit(term: str, texts) -> bool:
        # A 俗称 inside the person's words counts too: 我要开饭店 holds 开饭店.
        return any(term in t or (t and t in term) for t in texts)

    if any(t and (t == q or t in q) for t in names):
        return 0
    if q in names[0]:
        return 1
    if any(q in t for t in names):
        return 2
    if any(hit(s, names) for s in synonyms):
        return 3
    if any(hit(term, keywords) for term in {q, *synonyms}):
        return 4
    if any(hit(term, [description]) for term in {q, *synonyms}):
        return 5
    return None
