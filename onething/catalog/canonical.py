"""The canonical shape of each catalog entry: one key order, defaults filled.

Files and database rows both pass through these functions, which is what makes
`catalog export` byte-stable on a round trip.
"""

from decimal import Decimal


def _num(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def department(d: dict) -> dict:
    return {"code": d["code"], "name": d["name"], "suffix": d["suffix"]}


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
        "steps": d["steps"],
        "visits": d["visits"],
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
    return (
        {"item": m["item"], "when": m["when"]} if m.get("when") is not None else {"item": m["item"]}
    )


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
