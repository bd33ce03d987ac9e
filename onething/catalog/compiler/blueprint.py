"""One-thing version + situation answers → blueprint (一表、一套材料、并联流程、减负数字)."""

from decimal import Decimal

from . import reductions as red
from .form import build_form
from .materials import build_materials
from .process import critical_path, dependency_edges, items_of, stages_of
from .situations import holds, resolve_answers


def establishes(snapshot: dict, item: dict) -> bool:
    """A registration that creates a new subject (设立登记): it issues a licence without needing
    one of that type, unlike a change (变更) that re-issues the holder's own."""
    needed = {snapshot["materials"][m["material"]].get("license_type") for m in item["materials"]}
    return bool(item.get("result")) and item["result"] not in needed


def _item_row(snapshot: dict, item: dict, stage: int) -> dict:
    keys = [
        "code",
        "name",
        "department",
        "kind",
        "level",
        "legal_basis",
        "conditions",
        "legal_days",
        "promised_days",
        "steps",
        "fee",
        "fee_note",
        "result",
        "online_level",
        "cross_region",
        "when_source",
    ]
    return {
        **{k: item.get(k) for k in keys},
        "instant": bool(item.get("instant")),
        "committed_days": red.committed_days(item),
        "committed_instant": bool(item.get("committed_instant")),
        "visits_alone": red.trips_alone(item),
        "sources": item.get("sources") or {},
        "decided_by": item.get("decided_by") or "internal",
        "stage": stage,
        "establishes": establishes(snapshot, item),
    }


def compile_blueprint(snapshot: dict, answers: dict | None = None) -> dict:
    answers = resolve_answers(snapshot.get("questions", []), answers)
    codes = [i["code"] for i in snapshot["items"] if holds(i.get("when"), answers)]
    needs = dependency_edges(snapshot, codes)
    stages = stages_of(needs, codes)
    stage_of = {code: n for n, stage in enumerate(stages) for code in stage}
    items = items_of(snapshot, codes)
    days, path = critical_path(needs, {i["code"]: red.committed_days(i) for i in items})
    legal_days, _ = critical_path(needs, {i["code"]: i["legal_days"] for i in items})
    materials = build_materials(snapshot, codes, stage_of, answers)
    reductions = red.reductions(snapshot, items, stages, path, days, materials)
    return {
        "onething": _header(snapshot),
        "answers": answers,
        "questions": [{**q, "answer": answers[q["code"]]} for q in snapshot.get("questions", [])],
        "items": [_item_row(snapshot, i, stage_of[i["code"]]) for i in items],
        "excluded_items": [i["code"] for i in snapshot["items"] if i["code"] not in stage_of],
        "excluded": [
            {"code": i["code"], "name": i["name"], "when_source": i.get("when_source") or ""}
            for i in snapshot["items"]
            if i["code"] not in stage_of
        ],
        "form": build_form(snapshot, codes, needs),
        "materials": materials,
        "process": {
            "stages": stages,
            "dependencies": {k: sorted(v) for k, v in needs.items() if v},
            "critical_path": path,
            "critical_days": days,
            # What the one-thing promises the applicant (its own committed limit when it has one).
            "promised_days": reductions["after"]["time"],
            "alone_days": reductions["before"]["time"],
            "legal_days": legal_days,
        },
        "fee": str(sum((Decimal(str(i["fee"])) for i in items), Decimal(0))),
        "online_level": _weakest(items, "online_level", ["窗口办理", "部分网办", "全程网办"]),
        "cross_region": _weakest(items, "cross_region", ["无", "全省通办", "跨省通办"]),
        "reductions": reductions,
        "faq": snapshot.get("faq", []),
    }


def _weakest(items: list[dict], key: str, order: list[str]) -> str | None:
    values = [i[key] for i in items if i.get(key) in order]
    return min(values, key=order.index) if values else None


def _header(snapshot: dict) -> dict:
    keys = [
        "code",
        "name",
        "subject",
        "stage",
        "status",
        "version",
        "region",
        "description",
        "lead_department",
        "aliases",
        "keywords",
        "committed_days",
        "visits",
        "sources",
    ]
    return {k: snapshot.get(k) for k in keys}
