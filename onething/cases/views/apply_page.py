"""What the apply page shows: the form's fields, the materials, the regions to choose from."""

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint
from onething.catalog.compiler import CompileError

from .. import checks, gateway, serialize
from ..constants import CROSS_REGION_OK


def _full_numbers(request) -> bool:
    """Applicants see what they type (their own application); a clerk filing for someone sees
    that person's numbers masked until they ask (``?full=1``, audited)."""
    return request.user.role != Role.WINDOW_CLERK or request.GET.get("full") == "1"


def _context(request, code: str, draft, errors=None) -> dict:
    version = catalog.version_latest(code)
    holder = _page_holder(request.user)
    derived = _linked_answers(version, holder)
    try:
        bp = catalog.blueprint(version, {**(draft.answers or {}), **derived})
    except CompileError as exc:
        bp, errors = catalog.blueprint(version, derived), {**(errors or {}), **exc.fields}
    prefill = gateway.prefill(blueprint=bp, **holder)
    exempt = gateway.exemptions(blueprint=bp, **holder)
    full, is_clerk = _full_numbers(request), request.user.role == Role.WINDOW_CLERK
    return {
        "bp": bp,
        "ot": bp["onething"],
        "draft": draft,
        "prefill": prefill,
        "errors": errors or {},
        "rows": _material_rows(bp, draft, exempt),
        "fields": _field_rows(bp, draft, prefill, full),
        "applicant": serialize.shown(draft.applicant, full),
        "is_clerk": is_clerk,
        "full": full,
        "has_personal": is_clerk and bool(serialize.draft_fields(draft)),
        "derived": derived,
        "cross_region": Blueprint.of(bp).cross_region in CROSS_REGION_OK,
        "region_groups": _region_groups(bp),
        "draft_started": _draft_started(draft),
        **_accept_choice(request, bp, holder, draft.applicant or {}),
    }


def _draft_started(draft) -> bool:
    return any((draft.applicant, draft.form, draft.materials, draft.commitments))


def _region_groups(bp: dict) -> list:
    asks_region = any(f.kind == "region" for f in Blueprint.of(bp).fields)
    return accounts.region_choices() if asks_region else []


def _linked_answers(version, holder: dict) -> dict:
    """一键三联: a one-thing asks nothing the licences held already answer (has the enterprise a
    food licence to change, a business licence already), and the page shows those answers as
    submission will take them."""
    if not any(holder.values()):
        return {}
    held = {lic.license_type_id for lic in gateway.licenses_of(**holder)}
    entity_type = getattr(holder["entity"], "entity_type", "")
    return checks.derived_answers(version.snapshot, held, entity_type)


def _accept_choice(request, bp: dict, holder: dict, applicant: dict) -> dict:
    """跨域通办: an applicant may hand the case in at another window; the home region stays the
    place it is processed. A clerk's window is the accepting region."""
    user = request.user
    if Blueprint.of(bp).cross_region not in CROSS_REGION_OK:
        return {"accept_regions": [], "accept_region": ""}
    if user.role == Role.WINDOW_CLERK:
        return {"accept_regions": [], "accept_region": "", **_home_choice(request, bp, applicant)}
    entity, person = holder["entity"], holder["person"]
    home = (
        (entity and entity.registered_region_id)
        or (person and person.household_region_id)
        or user.region_id
        or ""
    )
    within = "" if Blueprint.of(bp).cross_region == "跨省通办" else home[:2]
    regions = list(accounts.window_regions(within=within).select_related("parent"))
    chosen = request.POST.get("accept_region") or home
    return {"accept_regions": regions, "accept_region": chosen, "home_region": home}


def _home_choice(request, bp: dict, applicant: dict) -> dict:
    """At a window, a walk-in's home region (户籍地或登记地) is where the case is processed; the
    clerk picks it for a person typed in (a holder's code brings its own)."""
    user = request.user
    within = "" if Blueprint.of(bp).cross_region == "跨省通办" else user.region_id[:2]
    regions = list(accounts.window_regions(within=within).select_related("parent"))
    chosen = request.POST.get("applicant_region") or applicant.get("region") or user.region_id
    return {"home_regions": regions, "home_region": chosen}


def _page_holder(user) -> dict:
    if not user.is_applicant:
        return {"person": None, "entity": None}
    return {"person": gateway.person_for_user(user), "entity": gateway.entity_for_user(user)}


def _material_rows(bp: dict, draft, exempt: dict) -> list[dict]:
    rows = []
    for m in bp["materials"]:
        reason = (exempt.get(m["code"]) or {}).get("reason")
        if m["disposition"] == "earlier_item":
            reason = f"免交：前序事项办结后自动获取（{m['license_type_name'] or m['name']}）"
        rows.append(
            {
                **m,
                "exempt_reason": reason,
                "file_id": draft.materials.get(m["code"]),
                "due": draft.commitments.get(m["code"], ""),
            }
        )
    return rows


def _field_rows(bp: dict, draft, prefill: dict, full: bool) -> list[dict]:
    schema = bp["form"]["schema"]["properties"]
    rows = []
    for f in bp["form"]["layout"]:
        entry = prefill.get(f["field"]) or {}
        # Only a locked value shows as read-only; one that fails its field is a suggestion.
        locked = entry if entry.get("read_only") else None
        typed = draft.form.get(f["field"])
        value = (
            entry["value"]
            if locked
            else (typed if typed not in (None, "") else entry.get("value", ""))
        )
        shown = value if full else serialize.masked(f["field"], value)
        rows.append(
            {
                **f,
                "schema": schema[f["field"]],
                "source": locked,
                "value": shown,
                "value_label": _option_label(f, shown),
            }
        )
    return rows


def _option_label(field: dict, value) -> str:
    """What a person reads for a value: an enum's label (有限责任公司), never its code (llc);
    a region's name (武汉市江岸区), never its GB/T 2260 code."""
    if field.get("type") == "region":
        return accounts.region_label(str(value or ""))
    labels = {str(o["value"]): o["label"] for o in field.get("options") or []}
    return labels.get(str(value), value)
