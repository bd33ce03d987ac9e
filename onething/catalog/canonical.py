"""The canonical shape of each catalog entry: one key order, defaults filled.

Files and database rows both pass through these functions, which is what makes
`catalog export` byte-stable on a round trip.
"""

from decimal import Decimal

from onething.accounts.constants import RegionLevel


def _num(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def department(d: dict) -> dict:
    """`names` (per-level name patterns) appears only when a level has one, in level order."""
    out = {"code": d["code"], "name": d["name"], "suffix": d["suffix"]}
    names = d.get("names") or {}
    if names:
        order = {level: n for n, level in enumerate(RegionLevel.values)}
        out["names"] = dict(sorted(names.items(), key=lambda kv: order.get(kv[0], len(order))))
    return out


def license_type(d: dict) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "issuer": d["issuer"],
        "validity_years": d.get("validity_years"),
        "fields": [{"code": f["code"], "name": f["name"]} for f in d.get("fields") or []],
    }


def data_element(d: dict) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "type": d["type"],
        "options": [{"value": o["value"], "label": o["label"]} for o in d.get("options") or []],
        "max_length": d.get("max_length"),
        "prefill": list(d.get("prefill") or []),
    }


def material(d: dict) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "description": d.get("description") or "",
        "license_type": d.get("license_type") or None,
        "registry_field": d.get("registry_field") or None,
    }


VISIT_KINDS = ("submit", "inspect", "collect")


def visits(v) -> dict:
    """Trips by purpose, in one order (PostgreSQL's jsonb would otherwise reorder them)."""
    v = v if isinstance(v, dict) else {}
    return {k: v.get(k) or 0 for k in VISIT_KINDS}


def sources(s) -> dict:
    """limits, materials, then any other named source, in one stable order."""
    s = s if isinstance(s, dict) else {}
    first = [k for k in ("limits", "materials") if s.get(k)]
    return {k: str(s[k]) for k in first + sorted(k for k in s if k not in first and s[k])}


def item(d: dict) -> dict:
    tolerance = set(d.get("tolerance") or [])
    return {
        "code": d["code"],
        "name": d["name"],
        "department": d["department"],
        "kind": d["kind"],
        "level": d.get("level") or "county",
        "region": d.get("region") or None,
        "legal_basis": d.get("legal_basis") or "",
        "conditions": d.get("conditions") or "",
        "legal_days": d["legal_days"],
        "promised_days": d["promised_days"],
        "instant": bool(d.get("instant", False)),
        "steps": d["steps"],
        "visits_alone": visits(d.get("visits_alone")),
        "fee": _num(d.get("fee") or 0),
        "fee_note": d.get("fee_note") or "",
        "result": d.get("result") or None,
        "online_level": d["online_level"],
        "cross_region": d.get("cross_region") or "无",
        "tolerance": [
            m["material"] for m in d.get("materials") or [] if m["material"] in tolerance
        ],
        "materials": [
            {"material": m["material"], "required": bool(m.get("required", True))}
            for m in d.get("materials") or []
        ],
        "fields": list(d.get("fields") or []),
        "sources": sources(d.get("sources")),
        # Only when not the default: files and snapshots of internal items stay as they were.
        **(
            {"decided_by": d["decided_by"]}
            if d.get("decided_by") not in (None, "", "internal")
            else {}
        ),
    }


def question(q: dict) -> dict:
    out = {
        "code": q["code"],
        "text": q["text"],
        "options": [{"value": o["value"], "label": o["label"]} for o in q.get("options") or []],
    }
    if "default" in q:
        out["default"] = q["default"]
    if q.get("help"):
        out["help"] = q["help"]
    return out


def onething(d: dict) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "subject": d["subject"],
        "stage": d["stage"],
        "lead_department": d["lead_department"],
        "status": d.get("status") or "初标",
        "region": d.get("region") or None,
        "description": d.get("description") or "",
        "aliases": list(d.get("aliases") or []),
        "keywords": list(d.get("keywords") or []),
        "committed_days": d.get("committed_days"),
        "visits": visits(d.get("visits")),
        "sources": sources(d.get("sources")),
        "questions": [question(q) for q in d.get("questions") or []],
        "items": [_member(m) for m in d.get("items") or []],
        "dependencies": [
            {"item": x["item"], "requires": list(x["requires"])}
            for x in d.get("dependencies") or []
        ],
        "material_rules": [
            {"material": r["material"], "when": r["when"]} for r in d.get("material_rules") or []
        ],
        "faq": [{"q": f["q"], "a": f["a"]} for f in d.get("faq") or []],
    }


def _member(m: dict) -> dict:
    """Optional keys only when set, so a plain member stays one short line."""
    out = {"item": m["item"]}
    if m.get("when") is not None:
        out["when"] = m["when"]
    if m.get("when_source"):
        out["when_source"] = m["when_source"]
    if m.get("committed_days") is not None:
        out["committed_days"] = m["committed_days"]
    if m.get("instant"):
        out["instant"] = True
    return out


def oneclass(d: dict) -> dict:
    return {
        "code": d["code"],
        "name": d["name"],
        "subject": d["subject"],
        "description": d.get("description") or "",
        "onethings": sorted(d.get("onethings") or []),
        "questions": [question(q) for q in d.get("questions") or []],
    }


def synonym(d: dict) -> dict:
    return {"canonical": d["canonical"], "terms": list(d["terms"])}
