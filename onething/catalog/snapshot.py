"""Build the compiler's input (a snapshot) from canonical catalog dicts."""

import hashlib
import json

from . import canonical
from .models import DataElement, LicenseType, Material, OneClass, OneThing, ServiceItem

# Item fields stored as they are in both the files and the database (FKs are handled apart).
ITEM_PLAIN_FIELDS = (
    "name",
    "kind",
    "level",
    "legal_basis",
    "conditions",
    "legal_days",
    "promised_days",
    "instant",
    "steps",
    "visits_alone",
    "sources",
    "fee",
    "fee_note",
    "online_level",
    "cross_region",
    "fields",
)


def build_snapshot(
    doc: dict,
    *,
    items: dict,
    materials: dict,
    license_types: dict,
    elements: dict,
    departments: dict,
) -> dict:
    """Everything a one-thing needs, inlined, so a version never depends on later edits."""
    members = {m["item"]: m for m in doc["items"]}
    member_items = [_inline_item(items[code], m, departments) for code, m in members.items()]
    used_materials = {m["material"] for it in member_items for m in it["materials"]}
    used_elements = {f for it in member_items for f in it["fields"]}
    used_lts = {
        materials[m]["license_type"] for m in used_materials if materials[m]["license_type"]
    }
    used_lts |= {it["result"] for it in member_items if it["result"]}
    return {
        **{
            k: doc[k]
            for k in ("code", "name", "subject", "stage", "status", "region", "description")
        },
        "lead_department": {
            "code": doc["lead_department"],
            "name": departments[doc["lead_department"]]["name"],
        },
        "aliases": doc["aliases"],
        "keywords": doc["keywords"],
        "committed_days": doc.get("committed_days"),
        "visits": doc.get("visits"),
        "sources": doc.get("sources") or {},
        "questions": doc["questions"],
        "items": member_items,
        "dependencies": doc["dependencies"],
        "material_rules": doc["material_rules"],
        "faq": doc["faq"],
        "materials": {c: materials[c] for c in sorted(used_materials)},
        "data_elements": {c: elements[c] for c in sorted(used_elements)},
        "license_types": {c: license_types[c] for c in sorted(used_lts)},
    }


def _inline_item(item: dict, member: dict, departments: dict) -> dict:
    tolerance = set(item["tolerance"])
    return {
        **item,
        "department": {"code": item["department"], "name": departments[item["department"]]["name"]},
        "materials": [{**m, "tolerance": m["material"] in tolerance} for m in item["materials"]],
        "when": member.get("when"),
        "when_source": member.get("when_source") or "",
        "committed_days": committed_days(item, member),
        "committed_instant": bool(member.get("instant")) or bool(item.get("instant")),
    }


def committed_days(item: dict, member: dict) -> int:
    """The item's limit inside the one-thing: 即办 is 0; omitted means the promise made alone."""
    if member.get("instant") or item.get("instant"):
        return 0
    given = member.get("committed_days")
    return given if given is not None else item["promised_days"]


def digest(snapshot: dict) -> str:
    body = {k: v for k, v in snapshot.items() if k not in ("version", "status")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---- database rows → canonical dicts ------------------------------------------------------


def item_dict(item: ServiceItem) -> dict:
    links = list(item.item_materials.all())
    return canonical.item(
        {
            "code": item.code,
            **{f: getattr(item, f) for f in ITEM_PLAIN_FIELDS},
            "department": item.department_id,
            "region": item.region_id,
            "result": item.result_id,
            "decided_by": item.decided_by,
            "tolerance": [link.material_id for link in links if link.tolerance],
            "materials": [
                {"material": link.material_id, "required": link.required} for link in links
            ],
        }
    )


def onething_dict(ot: OneThing) -> dict:
    return canonical.onething(
        {
            **{
                f: getattr(ot, f)
                for f in (
                    "code",
                    "name",
                    "subject",
                    "stage",
                    "status",
                    "description",
                    "aliases",
                    "keywords",
                    "questions",
                    "dependencies",
                    "material_rules",
                    "faq",
                )
            },
            "lead_department": ot.lead_department_id,
            "region": ot.region_id,
            "committed_days": ot.committed_days,
            "visits": ot.visits,
            "sources": ot.sources,
            "items": [
                {
                    "item": m.item_id,
                    "when": m.when,
                    "when_source": m.when_source,
                    "committed_days": m.committed_days,
                    "instant": m.instant,
                }
                for m in ot.memberships.all()
            ],
        }
    )


def material_dict(m: Material) -> dict:
    return canonical.material(
        {
            "code": m.code,
            "name": m.name,
            "description": m.description,
            "license_type": m.license_type_id,
            "registry_field": m.registry_field,
        }
    )


def license_type_dict(lt: LicenseType) -> dict:
    return canonical.license_type(
        {
            "code": lt.code,
            "name": lt.name,
            "issuer": lt.issuer_id,
            "validity_years": lt.validity_years,
            "fields": lt.fields,
        }
    )


def element_dict(el: DataElement) -> dict:
    return canonical.data_element(
        {
            "code": el.code,
            "name": el.name,
            "type": el.type,
            "options": el.options,
            "max_length": el.max_length,
            "prefill": el.prefill,
        }
    )


def oneclass_dict(oc: OneClass) -> dict:
    return canonical.oneclass(
        {
            "code": oc.code,
            "name": oc.name,
            "subject": oc.subject,
            "description": oc.description,
            "onethings": [o.code for o in oc.onethings.order_by("code")],
            "questions": oc.questions,
        }
    )


def snapshot_from_db(ot: OneThing) -> dict:
    """The draft as it stands now, in the shape a published version freezes."""
    from onething.accounts.models import DepartmentKind

    doc = onething_dict(ot)
    codes = [m["item"] for m in doc["items"]]
    items_qs = ServiceItem.objects.filter(code__in=codes).prefetch_related("item_materials")
    items = {i.code: item_dict(i) for i in items_qs}
    mat_codes = {m["material"] for i in items.values() for m in i["materials"]}
    materials = {m.code: material_dict(m) for m in Material.objects.filter(code__in=mat_codes)}
    lt_codes = {m["license_type"] for m in materials.values() if m["license_type"]} | {
        i["result"] for i in items.values() if i["result"]
    }
    lts = {lt.code: license_type_dict(lt) for lt in LicenseType.objects.filter(code__in=lt_codes)}
    el_codes = {f for i in items.values() for f in i["fields"]}
    elements = {e.code: element_dict(e) for e in DataElement.objects.filter(code__in=el_codes)}
    departments = {d.code: {"code": d.code, "name": d.name} for d in DepartmentKind.objects.all()}
    return build_snapshot(
        doc,
        items=items,
        materials=materials,
        license_types=lts,
        elements=elements,
        departments=departments,
    )
