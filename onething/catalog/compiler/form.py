"""One form: the fields of every member item, minus those an earlier item's result supplies."""

from ..constants import ElementType
from .process import items_of, reaches

# A contact number as the registries hold it: a mobile, or a landline with its area code
# (registry/importing.py accepts the same); a read-only prefilled value must pass its own field.
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
ID_PATTERN = r"^\d{17}[\dXx]$"
CREDIT_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
REGION_PATTERN = r"^\d{6}$"


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
    producers = {i["result"]: i["code"] for i in items_of(snapshot, codes) if i.get("result")}
    users: dict[str, list[str]] = {}
    for item in items_of(snapshot, codes):
        for code in item["fields"]:
            users.setdefault(code, []).append(item["code"])
    out = {}
    for code, used_by in users.items():
        for source in snapshot["data_elements"][code].get("prefill") or []:
            parts = source.split(".")
            producer = (
                producers.get(parts[1]) if len(parts) == 3 and parts[0] == "license" else None
            )
            if producer and all(u != producer and reaches(needs, u, producer) for u in used_by):
                out[code] = {"produced_by": producer, "license_type": parts[1], "source": parts[2]}
                break
    return out


def build_form(snapshot: dict, codes: list[str], needs: dict[str, set[str]] | None = None) -> dict:
    produced = produced_fields(snapshot, codes, needs) if needs is not None else {}
    layout: dict[str, dict] = {}
    for item in items_of(snapshot, codes):
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
