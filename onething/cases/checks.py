"""Pure helpers for submission: materials against the blueprint, regions, derived answers."""

from datetime import date, timedelta

from onething.catalog.blueprint import Blueprint, MaterialPlan
from onething.common.errors import Unprocessable

from .constants import MaterialState

MAX_COMMITMENT_DAYS = 180
# The licence whose issue creates a market subject with its own credit code (《市场主体登记管理条例》):
# a registration issuing it registers someone new, never a new version of the applicant's own.
SUBJECT_LICENCE_TYPES = {"business_license"}


def material_rows(blueprint: dict, *, uploads: dict, commitments: dict, exempt: dict) -> list[dict]:
    """One row per blueprint material with its state; unknown materials are refused."""
    known = {m.code: m for m in Blueprint.of(blueprint).materials}
    unknown = {
        f"materials.{c}": "不是本事项需要的材料" for c in [*uploads, *commitments] if c not in known
    }
    if unknown:
        raise Unprocessable("材料有误", fields=unknown)
    return [_row(m, uploads, commitments, exempt) for m in known.values()]


def _row(m: MaterialPlan, uploads: dict, commitments: dict, exempt: dict) -> dict:
    code = m.code
    row = {
        "material": code,
        "name": m.name,
        "required": m.required,
        "upload": None,
        "exemption": {},
    }
    if code in exempt:
        return {**row, "state": MaterialState.EXEMPT, "exemption": exempt[code]}
    if code in uploads:
        return {**row, "state": MaterialState.UPLOADED, "upload": uploads[code]}
    if code in commitments:
        if not m.commitment_allowed:
            raise Unprocessable(
                "该材料不能容缺后补", fields={f"commitments.{code}": f"{m.name}不能承诺后补"}
            )
        return {**row, "state": MaterialState.COMMITTED, "due_date": commitments[code]}
    return {**row, "state": MaterialState.MISSING}


def blueprint_exemptions(blueprint: dict) -> dict:
    """Materials an earlier member item produces: nobody uploads those."""
    return {
        m.code: {
            "kind": "earlier_item",
            "license": None,
            "license_type": m.license_type or None,
            "reason": f"由前序事项办结后自动获取（{m.license_type_name or m.name}）",
        }
        for m in Blueprint.of(blueprint).materials
        if m.disposition == "earlier_item"
    }


def due_date_problem(due: date, today: date) -> str | None:
    if due <= today:
        return "承诺期限应晚于今天"
    if due > today + timedelta(days=MAX_COMMITMENT_DAYS):
        return f"承诺期限不能超过 {MAX_COMMITMENT_DAYS} 天"
    return None


def problems_of(rows: list[dict], licence_problems: list[str]) -> list[str]:
    """The formal-check findings the window clerk sees (and lists in 一次性告知书)."""
    missing = [
        f"缺少材料：{r['name']}"
        for r in rows
        if r["required"] and r["state"] == MaterialState.MISSING
    ]
    return missing + licence_problems


def licence_problems(exempt: dict, today: date) -> list[str]:
    """An exemption rests on a licence; an expired or revoked one does not count."""
    problems = []
    for code, entry in exempt.items():
        licence = entry.get("license")
        until = getattr(licence, "valid_until", None) or getattr(licence, "expires_on", None)
        status = getattr(licence, "status", "")
        if (until and until < today) or status in ("revoked", "expired", "cancelled"):
            problems.append(f"用于免交“{code}”的电子证照已失效，请提交该材料")
    return problems


def derived_answers(snapshot: dict, licence_types: set[str], entity_type: str = "") -> dict:
    """Answer ``has_<licence type>`` / ``holds_<licence type>`` questions from the licences the
    applicant holds: whether there is a food licence to change (一键三联) or a business licence
    already (no second registration) is a fact of the e-licence library, not the applicant's say."""
    answers = {}
    # Only questions that name a licence type of this one-thing are facts from data; others
    # (has_employees …) stay the applicant's to answer.
    known = set(snapshot.get("license_types", {}))
    for q in snapshot.get("questions", []):
        code = q["code"]
        for prefix in ("has_", "holds_"):
            if code.startswith(prefix) and code[len(prefix) :] in known:
                held = code[len(prefix) :] in licence_types
                values = [o["value"] for o in q.get("options", [])]
                answers[code] = ("yes" if held else "no") if "yes" in values else held
    return {**answers, **_subject_answer(snapshot, entity_type)}


def _subject_answer(snapshot: dict, entity_type: str) -> dict:
    """A registered entity applying is what it is: "以什么形式" (``subject_type``: company or
    individual) is its registered type, never a choice (a company is no 个体工商户)."""
    if not entity_type:
        return {}
    wanted = "individual" if entity_type == "individual_business" else "company"
    for q in snapshot.get("questions", []):
        if q["code"] == "subject_type" and wanted in {o["value"] for o in q.get("options", [])}:
            return {"subject_type": wanted}
    return {}


def climb(region, level: str):
    """The ancestor of ``region`` at a handling level (county items stay where they are)."""
    wanted = {"province": {"province"}, "city": {"city", "province"}}.get(level)
    node = region
    while wanted and node is not None and node.level not in wanted:
        node = node.parent
    return node or region


def region_under(code: str, region) -> bool:
    return region is not None and code.startswith(region.prefix)
