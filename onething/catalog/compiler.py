"""One-thing version + situation answers → blueprint (一表、一套材料、并联流程、减负数字).

Pure functions over a snapshot dict (see ``snapshot.py``): no database, so the
same code serves the page, the API, the CLI, cases and the property tests.
"""

from decimal import Decimal

from onething.rules import services as rules

from . import reductions as red
from .constants import ElementType, MaterialDisposition

# A contact number as the registries hold it: a mobile, or a landline with its area code
# (registry/importing.py accepts the same); a read-only prefilled value must pass its own field.
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
ID_PATTERN = r"^\d{17}[\dXx]$"
CREDIT_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
REGION_PATTERN = r"^\d{6}$"


class CompileError(ValueError):
    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


# ---- situations ---------------------------------------------------------------------------


def resolve_answers(questions: list[dict], answers: dict | None) -> dict:
    """Fill defaults and refuse answers that are not options, naming the question."""
    answers = dict(answers or {})
    known = {q["code"]: q for q in questions}
    errors = {code: f"没有这个情形问题：{code}" for code in answers if code not in known}
    resolved = {}
    for q in questions:
        values = [o["value"] for o in q.get("options", [])]
        value = answers.get(q["code"], q.get("default", values[0] if values else None))
        if values and value not in values:
            errors[q["code"]] = f"“{q['text']}”的答案只能是：{'、'.join(map(str, values))}"
        resolved[q["code"]] = value
    if errors:
        raise CompileError("情形答案有误", fields=errors)
    return resolved


def _holds(rule, answers: dict) -> bool:
    return rule is None or bool(rules.evaluate(rule, answers))


# ---- process ------------------------------------------------------------------------------


def dependency_edges(snapshot: dict, codes: list[str]) -> dict[str, set[str]]:
    """item → the member items it needs; explicit ones plus those implied by results.

    A material an item needs is produced by a member item whose result is that licence
    type, unless that producer itself waits for the item: then the licence must come
    from the applicant's wallet instead, and no edge (and no cycle) is implied.
    """
    active = set(codes)
    producers: dict[str, list[str]] = {}
    for item in _items(snapshot, codes):
        if item.get("result"):
            producers.setdefault(item["result"], []).append(item["code"])
    needs: dict[str, set[str]] = {code: set() for code in codes}
    for dep in snapshot.get("dependencies", []):
        if dep["item"] in active:
            needs[dep["item"]].update(r for r in dep["requires"] if r in active)
    for item in _items(snapshot, codes):
        for entry in item["materials"]:
            lt = snapshot["materials"][entry["material"]].get("license_type")
            for producer in producers.get(lt, ()):
                if producer != item["code"] and not _reaches(needs, producer, item["code"]):
                    needs[item["code"]].add(producer)
                    break
    return needs


def _reaches(needs: dict[str, set[str]], start: str, target: str) -> bool:
    """Does ``start`` (transitively) need ``target``?"""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(needs.get(node, ()))
    return False


def find_cycle(needs: dict[str, set[str]]) -> list[str] | None:
    """A dependency cycle as a list of codes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(needs.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(needs):
        if node not in state and (found := visit(node)):
            return found
    return None


def stages_of(needs: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """Layer items so that each runs after everything it needs (longest-path layering)."""
    if cycle := find_cycle(needs):
        raise CompileError("事项前后置关系存在循环：" + " → ".join(cycle))
    depth: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in depth:
            depth[code] = 1 + max((level(r) for r in needs[code]), default=-1)
        return depth[code]

    stages: list[list[str]] = [[] for _ in range(1 + max(map(level, order), default=-1))]
    for code in order:
        stages[depth[code]].append(code)
    return stages


def critical_path(needs: dict[str, set[str]], days: dict[str, int]) -> tuple[int, list[str]]:
    """Longest chain of promised days: the one-thing takes this long, not the sum."""
    best: dict[str, tuple[int, list[str]]] = {}

    def finish(code: str) -> tuple[int, list[str]]:
        if code not in best:
            before = max((finish(r) for r in needs[code]), default=(0, []))
            best[code] = (before[0] + days[code], before[1] + [code])
        return best[code]

    return max((finish(c) for c in needs), default=(0, []))


# ---- materials and form -------------------------------------------------------------------


def _items(snapshot: dict, codes: list[str]) -> list[dict]:
    by_code = {item["code"]: item for item in snapshot["items"]}
    return [by_code[c] for c in codes]


def _disposition(material: dict, *, producer_stage: int | None, first_use: int, tolerance: bool):
    if producer_stage is not None and producer_stage < first_use:
        return MaterialDisposition.EARLIER_ITEM
    if material.get("license_type"):
        return MaterialDisposition.LICENSE
    if material.get("registry_field"):
        return MaterialDisposition.SHARED_DATA
    return MaterialDisposition.COMMITMENT if tolerance else MaterialDisposition.UPLOAD


def build_materials(
    snapshot: dict, codes: list[str], stage_of: dict[str, int], answers: dict
) -> list[dict]:
    excluded = {
        r["material"]
        for r in snapshot.get("material_rules", [])
        if not _holds(r.get("when"), answers)
    }
    needs = dependency_edges(snapshot, codes)
    merged: dict[str, dict] = {}
    for item in sorted(_items(snapshot, codes), key=lambda i: stage_of[i["code"]]):
        for entry in item["materials"]:
            if entry["material"] in excluded:
                continue
            row = merged.setdefault(
                entry["material"], {"used_by": [], "required": False, "tolerance": True}
            )
            row["used_by"].append(item["code"])
            row["required"] |= entry.get("required", True)
            # It may follow later only if no item using it needs it up front.
            row["tolerance"] &= entry.get("tolerance", False)
    return [_material_row(snapshot, code, row, needs, stage_of) for code, row in merged.items()]


def _producer(
    snapshot: dict, lt: str | None, used_by: list[str], needs: dict[str, set[str]]
) -> str | None:
    """The member item that issues this licence before every item that uses it, if any."""
    by_code = {i["code"]: i for i in snapshot["items"]}
    for user in used_by:
        found = [c for c in needs[user] if by_code[c].get("result") == lt]
        if not found:
            return None
    return found[0] if lt and used_by else None


def _material_row(snapshot, code, row, needs, stage_of) -> dict:
    material = snapshot["materials"][code]
    lt = material.get("license_type")
    producer = _producer(snapshot, lt, row["used_by"], needs)
    first_use = min(stage_of[c] for c in row["used_by"])
    disposition = _disposition(
        material,
        producer_stage=stage_of[producer] if producer else None,
        first_use=first_use,
        tolerance=row["tolerance"],
    )
    return {
        "code": code,
        "name": material["name"],
        "description": material.get("description", ""),
        "disposition": disposition.value,
        "disposition_label": disposition.label,
        "license_type": lt,
        "license_type_name": snapshot["license_types"][lt]["name"] if lt else None,
        "registry_field": material.get("registry_field") or None,
        "produced_by": producer,
        "commitment_allowed": row["tolerance"],
        "required": row["required"],
        "used_by": row["used_by"],
    }


def field_schema(element: dict) -> dict:
    kind = element["type"]
    schema: dict = {"title": element["name"]}
    patterns = {
        ElementType.ID_NUMBER: ID_PATTERN,
        ElementType.CREDIT_CODE: CREDIT_PATTERN,
        ElementType.PHONE: PHONE_PATTERN,
        ElementType.REGION: REGION_PATTERN,
    }
    if kind in patterns:
        schema.update(type="string", pattern=patterns[kind], format=kind)
    elif kind == ElementType.DATE:
        schema.update(type="string", format="date")
    elif kind == ElementType.MONEY:
        schema.update(type="number", minimum=0)
    elif kind == ElementType.INTEGER:
        schema.update(type="integer", minimum=0)
    elif kind == ElementType.BOOLEAN:
        schema.update(type="boolean")
    elif kind == ElementType.ENUM:
        schema.update(type="string", enum=[o["value"] for o in element.get("options", [])])
    else:
        schema.update(type="string", maxLength=element.get("max_length") or 200)
    return schema


def produced_fields(snapshot: dict, codes: list[str], needs: dict[str, set[str]]) -> dict:
    """field → where an earlier member item's result supplies it: the field's prefill source
    ``license.<type>.<face field>`` names the licence that item issues, and every item using the
    field waits for it. The applicant is never asked for those (the credit code a registration
    assigns, say): the value flows from the result into the later items."""
    producers = {i["result"]: i["code"] for i in _items(snapshot, codes) if i.get("result")}
    users: dict[str, list[str]] = {}
    for item in _items(snapshot, codes):
        for code in item["fields"]:
            users.setdefault(code, []).append(item["code"])
    out = {}
    for code, used_by in users.items():
        for source in snapshot["data_elements"][code].get("prefill") or []:
            parts = source.split(".")
            producer = (
                producers.get(parts[1]) if len(parts) == 3 and parts[0] == "license" else None
            )
            if producer and all(u != producer and _reaches(needs, u, producer) for u in used_by):
                out[code] = {"produced_by": producer, "license_type": parts[1], "source": parts[2]}
                break
    return out


def build_form(snapshot: dict, codes: list[str], needs: dict[str, set[str]] | None = None) -> dict:
    produced = produced_fields(snapshot, codes, needs) if needs is not None else {}
    layout: dict[str, dict] = {}
    for item in _items(snapshot, codes):
        for code in item["fields"]:
            if code in produced:
                continue
            element = snapshot["data_elements"][code]
            row = layout.setdefault(
                code,
                {
                    "field": code,
                    "label": element["name"],
                    "type": element["type"],
                    "type_label": ElementType(element["type"]).label,
                    "options": element.get("options", []),
                    "prefill": element.get("prefill", []),
                    "used_by": [],
                },
            )
            row["used_by"].append(item["code"])
    properties = {code: field_schema(snapshot["data_elements"][code]) for code in layout}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": list(layout),
    }
    names = {c: snapshot["data_elements"][c]["name"] for c in produced}
    return {
        "schema": schema,
        "layout": list(layout.values()),
        "produced": [{"field": c, "label": names[c], **p} for c, p in produced.items()],
    }


# ---- situations and time ------------------------------------------------------------------

MAX_SITUATIONS = 512


def situations(questions: list[dict]) -> list[dict]:
    """Every combination of answers (capped: beyond it, the defaults and each single change)."""
    combos: list[dict] = [{}]
    for q in questions:
        values = [o["value"] for o in q.get("options", [])]
        combos = [{**c, q["code"]: v} for c in combos for v in values]
        if len(combos) > MAX_SITUATIONS:
            base = resolve_answers(questions, {})
            return [base] + [
                {**base, q["code"]: o["value"]} for q in questions for o in q.get("options", [])
            ]
    return combos


def longest_committed_path(snapshot: dict) -> tuple[int, list[str], dict]:
    """The longest critical path of committed item limits over every situation, and where."""
    worst: tuple[int, list[str], dict] = (0, [], {})
    for answers in situations(snapshot.get("questions", [])):
        codes = [i["code"] for i in snapshot["items"] if _holds(i.get("when"), answers)]
        needs = dependency_edges(snapshot, codes)
        if find_cycle(needs):
            continue
        items = _items(snapshot, codes)
        days, path = critical_path(needs, {i["code"]: red.committed_days(i) for i in items})
        if days > worst[0]:
            worst = (days, path, answers)
    return worst


# ---- the blueprint ------------------------------------------------------------------------


def establishes(snapshot: dict, item: dict) -> bool:
    """A registration that creates a new subject (设立登记): it issues a licence without needing
    one of that type, unlike a change (变更) that re-issues the holder's own."""
    needed = {snapshot["materials"][m["material"]].get("license_type") for m in item["materials"]}
    return bool(item.get("result")) and item["result"] not in needed


def _item_row(snapshot: dict, item: dict, stage: int) -> dict:
    keys = [
        "code", "name", "department", "kind", "level", "legal_basis", "conditions", "legal_days",
        "promised_days", "steps", "fee", "fee_note", "result", "online_level", "cross_region",
        "when_source",
    ]  # fmt: skip
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
    codes = [i["code"] for i in snapshot["items"] if _holds(i.get("when"), answers)]
    needs = dependency_edges(snapshot, codes)
    stages = stages_of(needs, codes)
    stage_of = {code: n for n, stage in enumerate(stages) for code in stage}
    items = _items(snapshot, codes)
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
        "code", "name", "subject", "stage", "status", "version", "region", "description",
        "lead_department", "aliases", "keywords", "committed_days", "visits", "sources",
    ]  # fmt: skip
    return {k: snapshot.get(k) for k in keys}
