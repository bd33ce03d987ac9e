"""One set of materials: merged across items, each with how the applicant is spared it."""

from ..constants import MaterialDisposition
from .process import dependency_edges, items_of
from .situations import holds


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
        if not holds(r.get("when"), answers)
    }
    needs = dependency_edges(snapshot, codes)
    merged: dict[str, dict] = {}
    for item in sorted(items_of(snapshot, codes), key=lambda i: stage_of[i["code"]]):
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
