"""Preparing a submission: reads only (catalog version, holder, regions, form, uploads, commitments), writes nothing."""

from datetime import date

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.catalog.blueprint import Blueprint
from onething.catalog.compiler import CompileError
from onething.common import hotsql
from onething.common.errors import Forbidden, NotFound, Unprocessable

from .. import checks, gateway, validation
from ..constants import (
    CROSS_REGION_OK,
    Channel,
)
from ..intake import Holder, Submission
from ..models import (
    Upload,
)
from . import base


def _prepare(user, data: dict) -> Submission:
    version = catalog.version_latest(str(data.get("onething") or ""))
    if version is None:
        raise NotFound(f"一件事不存在：{data.get('onething')}", fields={"onething": "不存在"})
    holder = _holder(user, data.get("applicant") or {})
    told = dict(data.get("answers") or {})
    held = {
        getattr(lic, "license_type_id", None) or getattr(lic, "license_type", None)
        for lic in holder.licences
    }
    derived = checks.derived_answers(
        version.snapshot,
        {str(t) for t in held if t},
        getattr(holder.entity, "entity_type", ""),
    )
    answers = {**told, **derived}
    blueprint = _compile(version, answers)
    regions = _regions(user, holder, blueprint, data.get("accept_region"))
    fields, materials = _set_aside(version, told, answers, blueprint)
    form, prefilled = _checked_form(blueprint, holder, _without(data.get("form") or {}, fields))
    exempt = {**checks.blueprint_exemptions(blueprint), **_registry_exemptions(blueprint, holder)}
    rows = checks.material_rows(
        blueprint,
        uploads=_without(_uploads(user, data), materials),
        commitments=_without(_commitments(data), materials),
        exempt=exempt,
    )
    problems = checks.problems_of(rows, checks.licence_problems(exempt, base._today()))
    channel = data.get("channel") or Channel.API
    if channel not in Channel.values:
        raise Unprocessable("渠道不正确", fields={"channel": "应为 portal、window 或 api"})
    return Submission(
        version=version,
        blueprint=blueprint,
        holder=holder,
        form=form,
        rows=rows,
        prefilled=prefilled,
        problems=problems,
        channel=channel,
        **regions,
    )


def _set_aside(version, told: dict, answers: dict, blueprint: dict) -> tuple[set, set]:
    """A window clerk fills the form before the holder's code is read: where the holder's
    licences answer a question otherwise (a business licence held, so no registration), the
    fields and materials only the dropped items ask are set aside, not refused as strangers."""
    if answers == told:
        return set(), set()
    try:
        asked = Blueprint.of(catalog.blueprint(version, told))
    except CompileError:  # what the licences answered was not even a valid answer
        return set(), set()
    kept = Blueprint.of(blueprint)
    return (
        {f.field for f in asked.fields} - {f.field for f in kept.fields},
        {m.code for m in asked.materials} - {m.code for m in kept.materials},
    )


def _without(rows, codes: set):
    return {k: v for k, v in rows.items() if k not in codes} if isinstance(rows, dict) else rows


def _compile(version, answers: dict) -> dict:
    try:
        return catalog.blueprint(version, answers)
    except CompileError as exc:
        raise Unprocessable(
            exc.message, fields={f"answers.{k}": v for k, v in exc.fields.items()}
        ) from exc


def _holder(user, applicant: dict) -> Holder:
    """Who the case is for: the applicant themself, or the holder a window clerk serves."""
    if user.is_applicant:
        return _holder_of_user(user)
    if user.role != Role.WINDOW_CLERK:
        raise Forbidden("仅申请人或综合窗口人员可以提交申请")
    if applicant.get("code"):
        return _holder_from_registry(gateway.holder_from_code(code=applicant["code"], clerk=user))
    return _holder_typed(applicant)


def _holder_of_user(user) -> Holder:
    person, entity = gateway.person_for_user(user), gateway.entity_for_user(user)
    return Holder(
        user=user,
        person=person,
        entity=entity,
        kind="entity" if user.role == Role.APPLICANT_ENTITY else "person",
        name=user.display_name or user.username,
        id_number=user.id_number,
        credit_code=user.credit_code,
        region=_holder_region(person, entity) or user.region,
        licences=gateway.licenses_of(person=person, entity=entity, valid_on=base._today()),
        licences_on=base._today(),
    )


def _holder_from_registry(holder) -> Holder:
    from onething.accounts.models import User

    entity = holder if getattr(holder, "credit_code", "") else None
    person = None if entity else holder
    key = (
        {"credit_code": entity.credit_code}
        if entity
        else {"id_number": getattr(person, "id_number", "")}
    )
    return Holder(
        user=User.objects.filter(**key).first(),
        person=person,
        entity=entity,
        kind="entity" if entity else "person",
        name=getattr(holder, "name", ""),
        id_number=getattr(person, "id_number", ""),
        credit_code=getattr(entity, "credit_code", ""),
        region=_holder_region(person, entity),
        licences=gateway.licenses_of(person=person, entity=entity, valid_on=base._today()),
        licences_on=base._today(),
    )


def _holder_typed(applicant: dict) -> Holder:
    """Typed in at the window, without the holder's QR code: no registry data is read (no consent)."""
    from onething.accounts.models import User

    id_number, credit = (
        str(applicant.get("id_number") or ""),
        str(applicant.get("credit_code") or ""),
    )
    errors = {}
    if not applicant.get("name"):
        errors["applicant.name"] = "请填写申请人名称"
    if credit and not validation.check_credit_code(credit):
        errors["applicant.credit_code"] = "统一社会信用代码不正确"
    if not credit and not validation.check_id_number(id_number):
        errors["applicant.id_number"] = "公民身份号码不正确"
    if errors:
        raise Unprocessable("申请人信息有误", fields=errors)
    key = {"credit_code": credit} if credit else {"id_number": id_number}
    user = User.objects.filter(**key).select_related("region").first()
    return Holder(
        user=user,
        kind="entity" if credit else "person",
        name=applicant["name"],
        id_number=id_number,
        credit_code=credit,
        region=accounts.region_get(str(applicant.get("region") or ""))
        or getattr(user, "region", None),
    )


def _holder_region(person, entity):
    for obj, attrs in (
        (entity, ("registered_region",)),
        (person, ("household_region", "residence_region")),
    ):
        for attr in attrs:
            code = _region_code(obj, attr)
            if code and (region := accounts.region_get(str(code))):
                return region
    return None


def _region_code(obj, attr: str):
    # The foreign key's raw value: loading the related Region only to read its code costs a query.
    if obj is None:
        return None
    if f"{attr}_id" in obj.__dict__:
        return obj.__dict__[f"{attr}_id"]
    value = getattr(obj, attr, None)
    return getattr(value, "code", value)


def _regions(user, holder: Holder, blueprint: dict, accept_code) -> dict:
    """Accepting region (the window) and processing region (the applicant's); 收受分离 when apart."""
    if user.role == Role.WINDOW_CLERK:
        if accept_code and not checks.region_under(str(accept_code), user.region):
            raise Forbidden(
                "只能在本窗口所在地区受理申请", fields={"accept_region": "不在本窗口辖区"}
            )
        accept = user.region
    else:
        accept = accounts.region_get(str(accept_code or "")) if accept_code else holder.region
    process = holder.region or accept
    if accept is None or process is None:
        raise Unprocessable("请选择受理地区", fields={"accept_region": "必填"})
    if accept.code != process.code and Blueprint.of(blueprint).cross_region not in CROSS_REGION_OK:
        raise Unprocessable(
            "本一件事不支持跨域通办，请向申请人所在地提出申请",
            fields={"accept_region": "不支持跨域受理"},
        )
    return {"accept_region": accept, "process_region": process}


def _checked_form(blueprint: dict, holder: Holder, form: dict) -> tuple[dict, dict]:
    """Values from an authoritative source are re-read now; a different value is refused."""
    if not isinstance(form, dict):
        raise Unprocessable("表单应为对象", fields={"form": "应为对象"})
    prefilled = gateway.prefill(
        blueprint=blueprint,
        person=holder.person,
        entity=holder.entity,
        licences=holder.licences,
        valid_on=holder.licences_on,
    )
    form = {k: v for k, v in form.items()}
    errors = {}
    for field, entry in prefilled.items():
        if not entry.get("read_only"):
            continue
        if form.get(field) not in (None, "") and not validation.same_value(
            form[field], entry["value"]
        ):
            errors[f"form.{field}"] = f"与{entry.get('source_label') or '权威来源'}不一致，不能修改"
        form[field] = entry["value"]
    errors.update(validation.form_problems(Blueprint.of(blueprint).form_schema, form))
    if errors:
        raise Unprocessable("表单填写有误：" + "；".join(errors.values()), fields=errors)
    return form, {
        k: {**v, "value": str(v.get("value"))} for k, v in prefilled.items() if v.get("read_only")
    }


def _registry_exemptions(blueprint: dict, holder: Holder) -> dict:
    return gateway.exemptions(
        blueprint=blueprint,
        person=holder.person,
        entity=holder.entity,
        licences=holder.licences,
        valid_on=holder.licences_on,
    )


def _uploads(user, data: dict) -> dict:
    rows = data.get("materials") or []
    ids = {str(r.get("file_id")) for r in rows if isinstance(r, dict)}
    found = hotsql.select(Upload, {"pk__in": _valid_uuids(ids), "owner": user})
    owned = {str(u.pk): u for u in found}
    out, errors = {}, {}
    for n, row in enumerate(rows):
        upload = owned.get(str(row.get("file_id"))) if isinstance(row, dict) else None
        if upload is None:
            errors[f"materials.{n}.file_id"] = "文件不存在或不是您上传的"
        else:
            out[str(row.get("material"))] = upload
    if errors:
        raise Unprocessable("材料文件有误", fields=errors)
    return out


def _valid_uuids(values) -> list[str]:
    import uuid

    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


def _commitments(data: dict) -> dict:
    out, errors = {}, {}
    for n, row in enumerate(data.get("commitments") or []):
        try:
            due = date.fromisoformat(str(row.get("due_date")))
        except (ValueError, AttributeError):
            errors[f"commitments.{n}.due_date"] = "日期格式应为 YYYY-MM-DD"
            continue
        if problem := checks.due_date_problem(due, base._today()):
            errors[f"commitments.{n}.due_date"] = problem
        out[str(row.get("material"))] = due
    if errors:
        raise Unprocessable("承诺期限有误", fields=errors)
    return out
