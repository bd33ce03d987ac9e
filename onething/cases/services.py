"""Every write of cases: submission, acceptance, tasks, supplements, commitments, deadlines.

Each public function runs in one transaction, appends events to the case's timeline and
queues notifications in the same transaction (they leave through the outbox after commit).
"""

import hashlib
import hmac
import json
from contextlib import nullcontext
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onething.accounts import selectors as accounts
from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.catalog.compiler import CompileError
from onething.common import hotsql
from onething.common.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from onething.common.events import record_event
from onething.common.notify import notify
from onething.common.security import keyed_digest

from . import checks, documents, files, gateway, selectors, validation, workdays
from .constants import (
    CROSS_REGION_OK,
    OPEN_TASK_STATUSES,
    REMIND_DAYS_BEFORE,
    AcceptanceDecision,
    CaseStatus,
    Channel,
    CommitmentStatus,
    DocumentKind,
    IdempotencyStatus,
    MaterialState,
    TaskDecision,
    TaskStatus,
    Warning,
)
from .models import (
    Case,
    CaseCounter,
    CaseMaterial,
    Commitment,
    CreditRecord,
    Document,
    Draft,
    IdempotencyKey,
    Supplement,
    Task,
    Upload,
)

REVIEWER_ROLES = {Role.DEPT_REVIEWER, Role.DEPT_ADMIN}


def _event(case: Case, actor, verb: str, **data) -> None:
    record_event(actor=actor, verb=verb, obj=case, data=data)


def _tell_applicant(case: Case, title: str, key: str, body: str = "") -> None:
    if case.applicant_id:
        link = f"/cases/{case.number}/"
        notify(
            user=case.applicant,
            title=title,
            body=body,
            link=link,
            dedup_key=f"case:{case.pk}:{key}",
        )


def _tell_department(task: Task, title: str, key: str) -> None:
    from onething.accounts.models import User

    for user in User.objects.filter(
        department=task.department, role__in=REVIEWER_ROLES, is_active=True
    ):
        notify(
            user=user,
            title=title,
            link=f"/cases/{task.case.number}/",
            dedup_key=f"task:{task.pk}:{key}:{user.pk}",
        )


def _today() -> date:
    return timezone.localdate()


# ---- uploads and drafts ------------------------------------------------------------------


def upload_create(*, owner, name: str, chunks) -> Upload:
    """Store first (all-or-nothing on disk), then the row; the file name is only a label."""
    stored = files.store(chunks)
    with transaction.atomic():
        upload = Upload.objects.create(owner=owner, name=(name or "file")[-200:], **stored)
        record_event(
            actor=owner, verb="case.file_uploaded", obj=upload, data={"sha256": upload.sha256}
        )
    return upload


@transaction.atomic
def draft_save(*, user, onething: str, **parts) -> Draft:
    """Merge the parts given (answers, applicant, form, materials, commitments) into the open draft."""
    draft = (
        Draft.objects.select_for_update()
        .filter(user=user, onething=onething, case__isnull=True)
        .first()
    )
    draft = draft or Draft(user=user, onething=onething)
    for name in ("answers", "applicant", "form", "materials", "commitments"):
        if parts.get(name) is not None:
            setattr(draft, name, parts[name])
    draft.save()
    record_event(actor=user, verb="case.draft_saved", obj=draft, data={"onething": onething})
    return draft


def draft_submit(*, user, draft: Draft, channel: str, accept_region: str | None = None) -> Case:
    """Submitting the same draft twice returns the first case (key = the draft)."""
    if draft.case_id:
        return draft.case
    body = draft_body(draft, channel=channel, accept_region=accept_region)
    case, _ = case_submit(user=user, data=body, idempotency_key=f"draft:{draft.pk}")
    Draft.objects.filter(pk=draft.pk, case__isnull=True).update(case=case)
    return case


def draft_body(draft: Draft, *, channel: str, accept_region: str | None) -> dict:
    shown = _shown_materials(draft)
    return {
        "onething": draft.onething,
        "answers": draft.answers,
        "applicant": draft.applicant,
        "form": draft.form,
        "materials": [
            {"material": m, "file_id": f} for m, f in draft.materials.items() if f and m in shown
        ],
        "commitments": [
            {"material": m, "due_date": d} for m, d in draft.commitments.items() if d and m in shown
        ],
        "channel": channel,
        "accept_region": accept_region,
    }


def _shown_materials(draft: Draft) -> set[str]:
    """The materials the page lists for the draft's current answers. A file uploaded under an
    answer changed since (company, then 个体工商户) is neither shown nor removable on the page:
    it stays in the draft but is not part of what the person submits."""
    version = catalog.version_latest(draft.onething)
    try:
        blueprint = catalog.blueprint(version, draft.answers) if version else None
    except CompileError:
        blueprint = None
    if blueprint is None:  # submission refuses the answers with its own message
        return {*draft.materials, *draft.commitments}
    return {m["code"] for m in blueprint["materials"]}


# ---- idempotent submission ---------------------------------------------------------------


def request_hash(data: dict) -> str:
    # Keyed: the body holds the applicant's name and ID number, so its digest must not be one
    # anyone with the row could confirm a guess against.
    return keyed_digest(_canonical(data), purpose="cases.idempotency")


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()


def _same_request(stored: str, data: dict, digest: str) -> bool:
    # Keys claimed before the digest was keyed hold a plain SHA-256 of the same bytes.
    return (
        hmac.compare_digest(stored, digest)
        or stored == hashlib.sha256(_canonical(data)).hexdigest()
    )


def _claim_key(user, key: str, digest: str) -> IdempotencyKey | None:
    """Insert the key in its own transaction; None when this request is the first."""
    try:
        # In autocommit the INSERT is a transaction by itself: BEGIN and COMMIT would be two more
        # round trips on every submission. Inside a caller's transaction a savepoint keeps a
        # duplicate key from breaking it.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            hotsql.create(
                IdempotencyKey(
                    user=user, key=key, request_hash=digest, status=IdempotencyStatus.RUNNING
                )
            )
        return None
    except IntegrityError:
        return IdempotencyKey.objects.get(user=user, key=key)


def _replay(existing: IdempotencyKey, data: dict, digest: str) -> Case:
    if not _same_request(existing.request_hash, data, digest):
        raise Unprocessable(
            "该幂等键已用于内容不同的请求", fields={"Idempotency-Key": "请为新的申请使用新的键"}
        )
    if existing.status == IdempotencyStatus.RUNNING:
        raise Conflict("使用该幂等键的请求正在处理中，请稍后重试")
    return existing.case


IDEMPOTENCY_KEY_MAX = IdempotencyKey._meta.get_field("key").max_length


def _checked_key(key: str) -> str:
    # Cutting a long key would make two different keys with a common prefix the same one.
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise DomainError(
            f"请求头 Idempotency-Key 过长：最多 {IDEMPOTENCY_KEY_MAX} 个字符（当前 {len(key)} 个）",
            fields={"Idempotency-Key": f"最多 {IDEMPOTENCY_KEY_MAX} 个字符"},
        )
    return key


def case_submit(*, user, data: dict, idempotency_key: str | None = None) -> tuple[Case, bool]:
    """Submit an application; returns (case, created). A repeated key returns the first case."""
    if not idempotency_key:
        return _submit(user, data, None), True
    key = _checked_key(idempotency_key)
    digest = request_hash(data)
    existing = _claim_key(user, key, digest)
    if existing is not None:
        return _replay(existing, data, digest), False
    try:
        return _submit(user, data, key), True
    except BaseException:
        # The key did not produce a case, so the client may retry with it.
        IdempotencyKey.objects.filter(user=user, key=key, status=IdempotencyStatus.RUNNING).delete()
        raise


def _submit(user, data: dict, key: str | None) -> Case:
    prepared = _prepare(user, data)
    number = _next_number(prepared["accept_region"].code)
    with transaction.atomic():
        case = _create_case(user, prepared, number)
        if key:
            hotsql.update(
                IdempotencyKey,
                {"user": user, "key": key},
                {
                    "status": IdempotencyStatus.DONE,
                    "case": case,
                    "response_status": 201,
                    "response": summary(case),
                },
            )
    return case


def summary(case: Case) -> dict:
    return {"number": case.number, "status": case.status, "onething": case.onething}


# ---- preparing a submission (reads only) -------------------------------------------------


def _prepare(user, data: dict) -> dict:
    version = catalog.version_latest(str(data.get("onething") or ""))
    if version is None:
        raise NotFound(f"一件事不存在：{data.get('onething')}", fields={"onething": "不存在"})
    holder = _holder(user, data.get("applicant") or {})
    answers = dict(data.get("answers") or {})
    if checks.is_linked_change(version.snapshot):
        held = {
            getattr(lic, "license_type_id", None) or getattr(lic, "license_type", None)
            for lic in holder["licences"]
        }
        answers.update(checks.derived_answers(version.snapshot, {str(t) for t in held if t}))
    blueprint = _compile(version, answers)
    regions = _regions(user, holder, blueprint, data.get("accept_region"))
    form, prefilled = _checked_form(blueprint, holder, data.get("form") or {})
    exempt = {**checks.blueprint_exemptions(blueprint), **_registry_exemptions(blueprint, holder)}
    rows = checks.material_rows(
        blueprint, uploads=_uploads(user, data), commitments=_commitments(data), exempt=exempt
    )
    problems = checks.problems_of(rows, checks.licence_problems(exempt, _today()))
    channel = data.get("channel") or Channel.API
    if channel not in Channel.values:
        raise Unprocessable("渠道不正确", fields={"channel": "应为 portal、window 或 api"})
    return {
        "version": version, "blueprint": blueprint, "holder": holder, "form": form, "rows": rows,
        "prefilled": prefilled, "problems": problems, "channel": channel, **regions,
    }  # fmt: skip


def _compile(version, answers: dict) -> dict:
    try:
        return catalog.blueprint(version, answers)
    except CompileError as exc:
        raise Unprocessable(
            exc.message, fields={f"answers.{k}": v for k, v in exc.fields.items()}
        ) from exc


def _holder(user, applicant: dict) -> dict:
    """Who the case is for: the applicant themself, or the holder a window clerk serves."""
    if user.is_applicant:
        return _holder_of_user(user)
    if user.role != Role.WINDOW_CLERK:
        raise Forbidden("仅申请人或综合窗口人员可以提交申请")
    if applicant.get("code"):
        return _holder_from_registry(gateway.holder_from_code(code=applicant["code"], clerk=user))
    return _holder_typed(applicant)


def _holder_of_user(user) -> dict:
    person, entity = gateway.person_for_user(user), gateway.entity_for_user(user)
    return {
        "user": user, "person": person, "entity": entity,
        "kind": "entity" if user.role == Role.APPLICANT_ENTITY else "person",
        "name": user.display_name or user.username, "id_number": user.id_number,
        "credit_code": user.credit_code, "region": _holder_region(person, entity) or user.region,
        "licences": gateway.licenses_of(person=person, entity=entity, valid_on=_today()),
        "licences_on": _today(),
    }  # fmt: skip


def _holder_from_registry(holder) -> dict:
    from onething.accounts.models import User

    entity = holder if getattr(holder, "credit_code", "") else None
    person = None if entity else holder
    key = (
        {"credit_code": entity.credit_code}
        if entity
        else {"id_number": getattr(person, "id_number", "")}
    )
    return {
        "user": User.objects.filter(**key).first(), "person": person, "entity": entity,
        "kind": "entity" if entity else "person", "name": getattr(holder, "name", ""),
        "id_number": getattr(person, "id_number", ""), "credit_code": getattr(entity, "credit_code", ""),
        "region": _holder_region(person, entity),
        "licences": gateway.licenses_of(person=person, entity=entity, valid_on=_today()),
        "licences_on": _today(),
    }  # fmt: skip


def _holder_typed(applicant: dict) -> dict:
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
    return {
        "user": user, "person": None, "entity": None, "kind": "entity" if credit else "person",
        "name": applicant["name"], "id_number": id_number, "credit_code": credit,
        "region": accounts.region_get(str(applicant.get("region") or "")) or getattr(user, "region", None),
        "licences": [],
    }  # fmt: skip


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


def _regions(user, holder: dict, blueprint: dict, accept_code) -> dict:
    """Accepting region (the window) and processing region (the applicant's); 收受分离 when apart."""
    if user.role == Role.WINDOW_CLERK:
        if accept_code and not checks.region_under(str(accept_code), user.region):
            raise Forbidden(
                "只能在本窗口所在地区受理申请", fields={"accept_region": "不在本窗口辖区"}
            )
        accept = user.region
    else:
        accept = accounts.region_get(str(accept_code or "")) if accept_code else holder["region"]
    process = holder["region"] or accept
    if accept is None or process is None:
        raise Unprocessable("请选择受理地区", fields={"accept_region": "必填"})
    if accept.code != process.code and blueprint["cross_region"] not in CROSS_REGION_OK:
        raise Unprocessable(
            "本一件事不支持跨域通办，请向申请人所在地提出申请",
            fields={"accept_region": "不支持跨域受理"},
        )
    return {"accept_region": accept, "process_region": process}


def _checked_form(blueprint: dict, holder: dict, form: dict) -> tuple[dict, dict]:
    """Values from an authoritative source are re-read now; a different value is refused."""
    if not isinstance(form, dict):
        raise Unprocessable("表单应为对象", fields={"form": "应为对象"})
    prefilled = gateway.prefill(
        blueprint=blueprint, person=holder["person"], entity=holder["entity"],
        licences=holder["licences"], valid_on=holder.get("licences_on"),
    )  # fmt: skip
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
    errors.update(validation.form_problems(blueprint["form"]["schema"], form))
    if errors:
        raise Unprocessable("表单填写有误：" + "；".join(errors.values()), fields=errors)
    return form, {
        k: {**v, "value": str(v.get("value"))} for k, v in prefilled.items() if v.get("read_only")
    }


def _registry_exemptions(blueprint: dict, holder: dict) -> dict:
    return gateway.exemptions(
        blueprint=blueprint, person=holder["person"], entity=holder["entity"],
        licences=holder["licences"], valid_on=holder.get("licences_on"),
    )  # fmt: skip


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
        if problem := checks.due_date_problem(due, _today()):
            errors[f"commitments.{n}.due_date"] = problem
        out[str(row.get("material"))] = due
    if errors:
        raise Unprocessable("承诺期限有误", fields=errors)
    return out


# ---- creating the case -------------------------------------------------------------------


def _next_number(region_code: str) -> str:
    """Region-date-sequence from one atomic upsert (PostgreSQL, SQLite ≥ 3.35): the counter row is
    locked for that statement only, and it commits on its own, outside the case's transaction."""
    today = _today()
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region, day, value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (region, day) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [region_code, today],
        )
        value = cursor.fetchone()[0]
    return f"{region_code}-{today:%Y%m%d}-{value:06d}"


def _create_case(user, p: dict, number: str) -> Case:
    holder, bp = p["holder"], p["blueprint"]
    case = hotsql.create(Case(
        number=number, version=p["version"], onething=bp["onething"]["code"], title=bp["onething"]["name"],
        blueprint=bp, answers=bp["answers"], form=p["form"], prefilled=p["prefilled"],
        applicant=holder["user"], applicant_data=_applicant_data(holder), submitted_by=user,
        channel=p["channel"], accept_region=p["accept_region"], process_region=p["process_region"],
        status=CaseStatus.SUBMITTED, problems=p["problems"],
    ))  # fmt: skip
    _create_materials(case, p["rows"])
    _event(
        case,
        user,
        "case.submitted",
        number=number,
        channel=case.channel,
        problems=len(p["problems"]),
    )
    _record_usage(user, case, holder, p)
    _tell_applicant(
        case, f"您的“{case.title}”申请已提交", "submitted", f"办件编号 {number}，请等待受理。"
    )
    return case


def _applicant_data(holder: dict) -> dict:
    return {
        "kind": holder["kind"], "name": holder["name"], "id_number": holder["id_number"],
        "credit_code": holder["credit_code"], "region": getattr(holder["region"], "code", ""),
    }  # fmt: skip


def _create_materials(case: Case, rows: list[dict]) -> None:
    materials = hotsql.bulk_insert(
        [
            CaseMaterial(
                case=case,
                material=r["material"],
                name=r["name"],
                state=r["state"],
                upload=r["upload"],
                exemption=_plain_exemption(r["exemption"]),
            )  # fmt: skip
            for r in rows
        ]
    )
    commitments = hotsql.bulk_insert(
        [
            Commitment(case=case, material=r["material"], name=r["name"], due_date=r["due_date"])
            for r in rows
            if r["state"] == MaterialState.COMMITTED
        ]
    )
    commitments.sort(key=lambda c: (c.due_date, c.pk))  # Commitment.Meta.ordering
    _remember(case, materials=materials, commitments=commitments, tasks=[], documents=[])


def _remember(case: Case, **rows) -> None:
    """A new case's related rows are exactly what was just written (no tasks or documents yet):
    keep them as Django's prefetch cache so the response does not read them back."""
    case._prefetched_objects_cache = getattr(case, "_prefetched_objects_cache", {})
    for name, items in rows.items():
        qs = getattr(case, name).all()
        qs._result_cache, qs._prefetch_done = list(items), True
        case._prefetched_objects_cache[name] = qs


def _plain_exemption(entry: dict) -> dict:
    # The registry hands back licence objects; the case keeps their identifier only.
    licence = entry.get("license")
    return {**entry, "license": getattr(licence, "identifier", licence)} if entry else {}


def _record_usage(user, case: Case, holder: dict, p: dict) -> None:
    licences = [r["exemption"].get("license") for r in p["rows"] if r["exemption"].get("license")]
    if not (p["prefilled"] or licences):
        return
    gateway.usage_record(
        actor=user, purpose=f"办理“{case.title}”", case_number=case.number, person=holder["person"],
        entity=holder["entity"], licenses=licences, fields=list(p["prefilled"]),
    )  # fmt: skip


# ---- acceptance at the window ------------------------------------------------------------


def _locked_case(number: str) -> Case:
    case = Case.objects.select_for_update().filter(number=number).first()
    if case is None:
        raise NotFound("办件不存在")
    return case


def _require_clerk(actor, case: Case) -> None:
    if actor.role != Role.WINDOW_CLERK or not checks.region_under(
        case.accept_region_id, actor.region
    ):
        raise NotFound("办件不存在")


@transaction.atomic
def case_accept(*, number: str, actor, decision: str, reason: str = "", problems=()) -> Case:
    case = _locked_case(number)
    _require_clerk(actor, case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"该办件当前状态为“{case.get_status_display()}”，不能再作受理决定")
    handlers = {
        AcceptanceDecision.ACCEPT: _accept,
        AcceptanceDecision.ACCEPT_WITH_TOLERANCE: _accept_with_tolerance,
        AcceptanceDecision.CORRECT: _return_for_correction,
        AcceptanceDecision.REFUSE: _refuse_acceptance,
    }
    if decision not in handlers:
        raise Unprocessable(
            "受理决定不正确",
            fields={"decision": "应为 accept、accept_with_tolerance、correct 或 refuse"},
        )
    handlers[decision](
        case, actor, reason=reason.strip(), problems=[str(p) for p in problems if str(p).strip()]
    )
    return case


def _accept(case: Case, actor, **_) -> None:
    if case.problems:
        raise Unprocessable("形式审查未通过，请一次性告知补正：" + "；".join(case.problems))
    if case.commitments.exists():
        raise Unprocessable("有承诺后补的材料，请选择容缺受理", fields={"decision": "应为容缺受理"})
    _start_processing(case, actor, tolerance=False)


def _accept_with_tolerance(case: Case, actor, **_) -> None:
    if case.problems:
        raise Unprocessable("形式审查未通过，请一次性告知补正：" + "；".join(case.problems))
    if not case.commitments.exists():
        raise Unprocessable("没有承诺后补的材料，无需容缺受理", fields={"decision": "应为受理"})
    if has_breach(case.applicant_data):
        raise Unprocessable(
            "申请人有未履行告知承诺的失信记录，不能容缺受理", fields={"decision": "不能容缺受理"}
        )
    _start_processing(case, actor, tolerance=True)


def has_breach(applicant_data: dict) -> bool:
    subject = applicant_data.get("credit_code") or applicant_data.get("id_number")
    return bool(subject) and selectors.credit_records(subject).exists()


def _accepting_department(case: Case, actor):
    return actor.department or accounts.department_for(
        kind_code="data_bureau", region=case.accept_region
    )


def case_consent_scope(blueprint: dict) -> list[str]:
    """What the applicant's consent covers: the licence types the blueprint's materials use,
    and its shared data items as ``data:<registry field>`` — never the rest of the wallet."""
    materials = blueprint.get("materials", [])
    types = {m["license_type"] for m in materials if m.get("license_type")}
    fields = {f"data:{m['registry_field']}" for m in materials if m.get("registry_field")}
    return sorted(types | fields)


def _grant_case_consent(case: Case, actor) -> None:
    """The applicant consented to data use when submitting; the accepting clerk may now see
    the licences and data items this case uses (an empty scope would mean all: none granted)."""
    holder = _holder_objects(case)
    scope = case_consent_scope(case.blueprint)
    if scope and (holder["person"] is not None or holder["entity"] is not None):
        gateway.consent_grant(
            grantee=actor, purpose="办件", case_number=case.number, actor=actor, scope=scope,
            **holder,
        )  # fmt: skip


def _start_processing(case: Case, actor, *, tolerance: bool) -> None:
    today = _today()
    case.status, case.tolerance, case.accepted_at = CaseStatus.PROCESSING, tolerance, timezone.now()
    case.accept_department = _accepting_department(case, actor)
    case.deadline = workdays.add_working_days(today, case.blueprint["process"]["promised_days"])
    case.save()
    _grant_case_consent(case, actor)
    verb = "case.accepted_with_tolerance" if tolerance else "case.accepted"
    _event(case, actor, verb, deadline=str(case.deadline), process_region=case.process_region_id)
    lines = [
        f"您于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提交的申请，经审查，符合受理条件，决定予以受理。"
    ]
    if tolerance:
        lines.append("部分材料按告知承诺容缺受理，请在承诺期限内补齐：")
    items = (
        [f"{c.name}（承诺于{c.due_date}前补交）" for c in case.commitments.all()]
        if tolerance
        else []
    )
    _issue(
        case,
        DocumentKind.ACCEPTANCE,
        case.accept_department,
        lines + [f"承诺办结期限：{case.deadline}"],
        items,
    )
    _tell_applicant(case, f"您的“{case.title}”申请已受理", "accepted", f"办件编号 {case.number}")
    _spawn_tasks(case, actor)


def _return_for_correction(case: Case, actor, *, problems: list[str], **_) -> None:
    listed = list(dict.fromkeys([*case.problems, *problems]))
    if not listed:
        raise Unprocessable("请列出需要补正的全部问题", fields={"problems": "必填"})
    case.status = CaseStatus.RETURNED
    case.save(update_fields=["status"])
    Supplement.objects.create(case=case, request="\n".join(listed))
    _event(case, actor, "case.returned", problems=listed)
    lines = ["您提交的申请材料不齐全或不符合法定形式，现一次性告知需要补正的全部内容："]
    _issue(case, DocumentKind.CORRECTION, _accepting_department(case, actor), lines, listed)
    _tell_applicant(
        case,
        f"您的“{case.title}”申请需要补正",
        f"returned:{case.supplements.count()}",
        "；".join(listed),
    )


def _refuse_acceptance(case: Case, actor, *, reason: str, **_) -> None:
    if not reason:
        raise Unprocessable("请填写不予受理的理由", fields={"reason": "必填"})
    case.status, case.reason, case.finished_at = CaseStatus.REJECTED, reason, timezone.now()
    case.save(update_fields=["status", "reason", "finished_at"])
    _event(case, actor, "case.rejected", reason=reason)
    lines = [
        "您提交的申请，经审查，不予受理。理由：",
        reason,
        "如不服本决定，可依法申请行政复议或者提起行政诉讼。",
    ]
    _issue(case, DocumentKind.REJECTION, _accepting_department(case, actor), lines)
    _tell_applicant(case, f"您的“{case.title}”申请不予受理", "rejected", reason)


# ---- documents ---------------------------------------------------------------------------


def _issue(
    case: Case, kind: str, department, lines: list[str], items=(), task: Task | None = None
) -> Document:
    body = documents.render(
        kind=kind, case=case, department=department, lines=lines, items=list(items)
    )
    seal = gateway.seal(department=department, payload=body) if department else {}
    doc = Document.objects.create(
        case=case, task=task, kind=kind, title=DocumentKind(kind).label, department=department, pdf=body,
        sha256=hashlib.sha256(body).hexdigest(), seal=seal,
    )  # fmt: skip
    _event(
        case,
        None,
        "case.document_issued",
        document=doc.pk,
        kind=kind,
        title=doc.title,
        sealed=bool(seal),
    )
    return doc


# ---- parallel tasks ----------------------------------------------------------------------


def department_for_item(item: dict, region):
    dept = accounts.department_for(
        kind_code=item["department"]["code"], region=checks.climb(region, item["level"])
    )
    if dept is None:
        raise DomainError(f"未找到“{item['name']}”的办理部门", code="no_department")
    return dept


def _spawn_tasks(case: Case, actor) -> None:
    deps = case.blueprint["process"].get("dependencies", {})
    held = _subject_licences(case)
    tasks = [
        Task(
            case=case,
            item=item["code"],
            name=item["name"],
            stage=item["stage"],
            department=department_for_item(item, case.process_region),
            requires=deps.get(item["code"], []),
            result_type=item.get("result") or "",
            days=item["promised_days"],
            status=TaskStatus.WAITING,
        )  # fmt: skip
        for item in case.blueprint["items"]
    ]
    fulfilled = [
        _fulfil_with(task, held[item["result"]])
        for task, item in zip(tasks, case.blueprint["items"], strict=True)
        if _registers_subject(item) and item["result"] in held
    ]
    Task.objects.bulk_create(tasks)
    for task in fulfilled:
        _event(case, actor, "task.fulfilled_by_licence", task=task.pk, item=task.item,
               license=task.result["license"])  # fmt: skip
    _start_ready(case, actor)


def _registers_subject(item: dict) -> bool:
    return bool(item.get("establishes")) and item.get("result") in checks.SUBJECT_LICENCE_TYPES


def _subject_licences(case: Case) -> dict:
    """An existing enterprise's valid 营业执照 by type: its registration is done already."""
    entity = _holder_objects(case)["entity"]
    if entity is None:
        return {}
    return {
        lic.license_type_id: lic
        for lic in gateway.licenses_of(entity=entity, valid_on=_today())
        if lic.license_type_id in checks.SUBJECT_LICENCE_TYPES
    }


def _fulfil_with(task: Task, licence) -> Task:
    """The registration item of an existing enterprise: its own licence is the result, so no
    new version of it is issued and nobody has to decide a registration that already exists."""
    task.status, task.started_on, task.decided_at = TaskStatus.APPROVED, _today(), timezone.now()
    task.opinion = (
        f"申请人已持有有效的{licence.license_type.name}，以其作为本事项的办理结果，不再重复登记。"
    )
    task.result = {"license": licence.identifier, "license_data": licence.data, "existing": True}
    return task


def _start_ready(case: Case, actor) -> list[Task]:
    """Start every waiting task whose prerequisites are approved, handing on their results."""
    tasks = list(case.tasks.select_for_update().order_by("id"))
    done = {t.item: t for t in tasks if t.status == TaskStatus.APPROVED}
    started = [t for t in tasks if t.status == TaskStatus.WAITING and set(t.requires) <= set(done)]
    produced = _produced(case.blueprint, {code: t.result for code, t in done.items()})
    for task in started:
        inputs = {code: done[code].result for code in task.requires}
        _start(task, actor, inputs=inputs, produced=produced)
    return started


def _produced(blueprint: dict, results: dict) -> dict:
    """Form fields an earlier item's result supplies (the credit code a registration assigns)."""
    out = {}
    for entry in blueprint["form"].get("produced", []):
        face = (results.get(entry["produced_by"]) or {}).get("license_data") or {}
        if face.get(entry["source"]) not in (None, ""):
            out[entry["field"]] = face[entry["source"]]
    return out


def _start(task: Task, actor, *, inputs: dict, produced: dict | None = None) -> None:
    today = _today()
    task.status, task.started_on = TaskStatus.ACTIVE, today
    task.deadline = workdays.add_working_days(today, task.days)
    task.data = {**task.data, "form": {**task.case.form, **(produced or {})}, "from": inputs}
    task.save(update_fields=["status", "started_on", "deadline", "data"])
    _event(task.case, actor, "task.started", task=task.pk, item=task.item, department=task.department.name,
           deadline=str(task.deadline), inputs=inputs)  # fmt: skip
    if not _integration().task_started(task=task):
        _tell_department(task, f"新的审批任务：{task.case.title} · {task.name}", "started")


def _integration():
    # Integration reads tasks and calls back into these services: import late, one way round.
    from onething.integration import services as integration

    return integration


def _locked_task(task_id: int, actor) -> Task:
    # The case first, then the task only (of=self), as acceptance and supplements do: locking the
    # task first let two reviewers of sibling tasks each hold what the other's _start_ready needed.
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .filter(pk=task_id)
        .first()
    )
    if (
        task is None
        or actor.role not in REVIEWER_ROLES
        or task.department_id != actor.department_id
    ):
        raise NotFound("审批任务不存在")
    return task


@transaction.atomic
def task_decide(
    *, task_id: int, actor, decision: str, opinion: str = "", result: dict | None = None
) -> Task:
    task = _locked_task(task_id, actor)
    if task.status != TaskStatus.ACTIVE:
        raise Conflict(f"该审批任务当前状态为“{task.get_status_display()}”，不能再作出决定")
    from onething.integration import selectors as integration

    if integration.decided_externally(task=task):
        raise Conflict("该事项由部门业务系统办理，结果以系统回传为准")
    handlers = {
        TaskDecision.APPROVE: _approve,
        TaskDecision.REFUSE: _refuse,
        TaskDecision.SUPPLEMENT: _ask_supplement,
    }
    if decision not in handlers:
        raise Unprocessable(
            "审批决定不正确", fields={"decision": "应为 approve、refuse 或 supplement"}
        )
    if decision != TaskDecision.APPROVE and not opinion.strip():
        raise Unprocessable("请填写审批意见", fields={"opinion": "必填"})
    task.opinion, task.decided_by, task.decided_at = opinion.strip(), actor, timezone.now()
    handlers[decision](task, actor, dict(result or {}))
    return task


@transaction.atomic
def task_decide_by_system(
    *, task_id: int, system: str, decision: str, opinion: str = "", result: dict | None = None
) -> Task:
    """A connected department system's decision, applied exactly as a reviewer's would be."""
    case_id = Task.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .get(pk=task_id)
    )
    if task.status != TaskStatus.ACTIVE:
        raise Conflict(f"该审批任务当前状态为“{task.get_status_display()}”，不能再作出决定")
    handlers = {TaskDecision.APPROVE: _approve, TaskDecision.REFUSE: _refuse,
                TaskDecision.SUPPLEMENT: _ask_supplement}  # fmt: skip
    if decision != TaskDecision.APPROVE and not opinion.strip():
        raise Unprocessable("请填写审批意见", fields={"data.opinion": "必填"})
    task.opinion, task.decided_by, task.decided_at = opinion.strip(), None, timezone.now()
    _event(task.case, None, "task.decided_by_system", task=task.pk, item=task.item, system=system,
           decision=decision)  # fmt: skip
    handlers[decision](task, None, dict(result or {}))
    return task


def task_note_by_system(*, task_id: int, system: str, verb: str, note: str = "") -> None:
    """A system's word that changes no state (received, handed back): on the case's timeline."""
    task = Task.objects.select_related("case").get(pk=task_id)
    _event(task.case, None, verb, task=task.pk, item=task.item, system=system, note=note)
    if verb == "task.handed_back":
        _tell_department(
            task, f"部门业务系统退回平台办理：{task.case.title} · {task.name}", "handed_back"
        )


def _approve(task: Task, actor, result: dict) -> None:
    case = task.case
    if task.result_type:
        licence = _issue_licence(task, actor, result)
        result["license"] = getattr(licence, "identifier", "") if licence is not None else ""
        if licence is not None:
            result["license_data"] = licence.data
    task.status, task.result = TaskStatus.APPROVED, result
    task.save()
    _event(
        case,
        actor,
        "task.approved",
        task=task.pk,
        item=task.item,
        opinion=task.opinion,
        result=result,
    )
    lines = [f"经审查，你（单位）申请的“{task.name}”符合法定条件，决定准予。", task.opinion]
    if result.get("license"):
        lines.append(f"电子证照编号：{result['license']}（已发放至您的电子证照夹）")
    _issue(case, DocumentKind.APPROVAL, task.department, [x for x in lines if x], task=task)
    _start_ready(case, actor)
    if not case.tasks.exclude(status=TaskStatus.APPROVED).exists():
        _complete(case, actor)


def _issue_licence(task: Task, actor, result: dict):
    case = task.case
    holder = _holder_objects(case)
    if holder["person"] is None and holder["entity"] is None:
        return None  # nobody in the registry to hold it (typed-in applicant); the decision stands
    form = task.data.get("form") or case.form
    item = next((i for i in case.blueprint["items"] if i["code"] == task.item), {})
    if _registers_subject(item):
        code = str(result.get("credit_code") or "").strip().upper()
        if code and not validation.check_credit_code(code):
            raise Unprocessable(
                "统一社会信用代码不正确", fields={"result.credit_code": "校验位不符"}
            )
        holder = {"person": None, "entity": _establish(case, holder, form, code, actor)}
        result["entity"] = result["credit_code"] = holder["entity"].credit_code
    fields = {
        f["code"]
        for f in case.version.snapshot["license_types"].get(task.result_type, {}).get("fields", [])
    }
    inputs = {k: v for prior in task.data.get("from", {}).values() for k, v in prior.items()}
    data = {k: v for k, v in {**form, **inputs, **result}.items() if k in fields}
    return gateway.license_issue(
        license_type=task.result_type, department=task.department, data=data,
        case_number=case.number, actor=actor, **holder,
    )  # fmt: skip


def _establish(case: Case, holder: dict, form: dict, code: str, actor):
    """A registration creates the new subject; the applicant (or their enterprise's legal
    representative) is its 经营者 or 法定代表人."""
    entity = holder["entity"]
    legal_rep = holder["person"] or (entity.legal_rep if entity is not None else None)
    return gateway.entity_establish(
        region_code=case.process_region_id, form=form, legal_rep=legal_rep, actor=actor,
        individual=not form.get("enterprise_type"), code=code,
    )  # fmt: skip


def _holder_objects(case: Case) -> dict:
    """The registry record the licence goes to: the subject the case registered, else the
    entity when the applicant is one, else the person."""
    registered = next(
        (t.result["entity"] for t in case.tasks.all() if (t.result or {}).get("entity")), None
    )
    if registered and (entity := gateway.entity_by_credit_code(registered)) is not None:
        return {"person": None, "entity": entity}
    data = case.applicant_data
    entity = (
        gateway.entity_by_credit_code(data.get("credit_code", ""))
        if data.get("kind") == "entity"
        else None
    )
    if entity is not None:
        return {"person": None, "entity": entity}
    person = gateway.person_by_id_number(data.get("id_number", "")) or gateway.person_for_user(
        case.applicant
    )
    return {"person": person, "entity": None}


def _complete(case: Case, actor) -> None:
    case.status, case.finished_at = CaseStatus.COMPLETED, timezone.now()
    case.save(update_fields=["status", "finished_at"])
    _event(case, actor, "case.completed")
    _tell_applicant(
        case, f"您的“{case.title}”已办结", "completed", "办理结果已发放至您的电子证照夹。"
    )
    from onething.feedback import services as feedback  # feedback reads cases: import late

    feedback.rating_invite(case=case)


def _refuse(task: Task, actor, result: dict) -> None:
    case = task.case
    task.status = TaskStatus.REFUSED
    task.save()
    _event(case, actor, "task.refused", task=task.pk, item=task.item, opinion=task.opinion)
    lines = [f"经审查，你（单位）申请的“{task.name}”不符合法定条件，决定不予许可。理由：", task.opinion,
             "如不服本决定，可依法申请行政复议或者提起行政诉讼。"]  # fmt: skip
    _issue(case, DocumentKind.REFUSAL, task.department, lines, task=task)
    for sibling in case.tasks.select_for_update().filter(status__in=OPEN_TASK_STATUSES):
        sibling.status = TaskStatus.CANCELLED
        sibling.save(update_fields=["status"])
        _event(case, actor, "task.cancelled", task=sibling.pk, item=sibling.item, because=task.item)
        _integration().task_cancelled(task=sibling)
        _tell_department(
            sibling,
            f"审批任务已终止：{case.title} · {sibling.name}（{task.name}不予许可）",
            "cancelled",
        )
    case.status, case.reason, case.finished_at = CaseStatus.REFUSED, task.opinion, timezone.now()
    case.save(update_fields=["status", "reason", "finished_at"])
    _event(case, actor, "case.refused", because=task.item)
    _tell_applicant(case, f"您的“{case.title}”未获准予", "refused", task.opinion)


def _ask_supplement(task: Task, actor, result: dict) -> None:
    case = task.case
    task.status, task.paused_on = TaskStatus.SUPPLEMENT, _today()
    task.save()
    Supplement.objects.create(case=case, task=task, request=task.opinion)
    _event(
        case, actor, "task.supplement_requested", task=task.pk, item=task.item, request=task.opinion
    )
    _tell_applicant(
        case,
        f"“{task.name}”需要补正",
        f"supplement:{task.pk}:{case.supplements.count()}",
        task.opinion,
    )


# ---- supplements from the applicant ------------------------------------------------------


def _require_applicant(actor, case: Case) -> None:
    if actor.pk not in (case.applicant_id, case.submitted_by_id):
        raise NotFound("办件不存在")


@transaction.atomic
def case_supplement(
    *, number: str, actor, form: dict | None = None, files: dict | None = None, note: str = ""
) -> Case:
    """Answer an open supplement request (补正): a returned case goes back to the window,
    a paused task resumes with its clock extended by the pause."""
    case = _locked_case(number)
    _require_applicant(actor, case)
    open_rows = list(case.supplements.select_for_update().filter(supplied_at__isnull=True))
    if not open_rows:
        raise Conflict("该办件没有待补正的事项")
    uploads = _uploads(
        actor, {"materials": [{"material": m, "file_id": f} for m, f in (files or {}).items()]}
    )
    _apply_supplement(case, form or {}, uploads)
    for row in open_rows:
        row.response, row.supplied_at = (
            {"form": form or {}, "files": files or {}, "note": note},
            timezone.now(),
        )
        row.save(update_fields=["response", "supplied_at"])
    _event(
        case,
        actor,
        "case.supplemented",
        files=list((files or {}).keys()),
        fields=list((form or {}).keys()),
    )
    _resume(case, actor, [r.task for r in open_rows if r.task_id])
    return case


def _apply_supplement(case: Case, form: dict, uploads: dict) -> None:
    if form:
        merged = {**case.form, **{k: v for k, v in form.items() if k not in case.prefilled}}
        if errors := validation.form_problems(case.blueprint["form"]["schema"], merged):
            raise Unprocessable("表单填写有误：" + "；".join(errors.values()), fields=errors)
        case.form = merged
    for material, upload in uploads.items():
        updated = case.materials.filter(material=material).update(
            state=MaterialState.UPLOADED, upload=upload
        )
        if not updated:
            raise Unprocessable("不是本事项需要的材料", fields={f"files.{material}": "未知材料"})
    rows = list(case.materials.values("material", "name", "state"))
    case.problems = [
        f"缺少材料：{r['name']}"
        for r in rows
        if r["state"] == MaterialState.MISSING and _required(case, r)
    ]
    case.save(update_fields=["form", "problems"])


def _required(case: Case, row: dict) -> bool:
    return any(m["code"] == row["material"] and m["required"] for m in case.blueprint["materials"])


def _resume(case: Case, actor, tasks: list[Task]) -> None:
    if case.status == CaseStatus.RETURNED:
        case.status = CaseStatus.SUBMITTED
        case.save(update_fields=["status"])
        _event(case, actor, "case.resubmitted")
        return
    for task in tasks:
        task.refresh_from_db()
        if task.status != TaskStatus.SUPPLEMENT:
            continue
        paused = workdays.working_days_between(task.paused_on, _today())
        task.status, task.paused_on, task.paused_days = (
            TaskStatus.ACTIVE,
            None,
            task.paused_days + paused,
        )
        task.deadline = workdays.add_working_days(task.deadline, paused)
        task.save(update_fields=["status", "paused_on", "paused_days", "deadline"])
        if case.deadline:
            case.deadline = workdays.add_working_days(case.deadline, paused)
            case.save(update_fields=["deadline"])
        _event(
            case,
            actor,
            "task.resumed",
            task=task.pk,
            item=task.item,
            paused_days=paused,
            deadline=str(task.deadline),
        )
        if not _integration().task_resumed(task=task):
            _tell_department(
                task, f"申请人已补正：{case.title} · {task.name}", f"resumed:{task.paused_days}"
            )


# ---- commitments -------------------------------------------------------------------------


@transaction.atomic
def commitment_fulfil(*, commitment_id: int, actor, file_id: str) -> Commitment:
    commitment = (
        Commitment.objects.select_for_update()
        .select_related("case")
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None:
        raise NotFound("承诺不存在")
    case = commitment.case
    _require_applicant(actor, case)
    if commitment.status != CommitmentStatus.PENDING:
        raise Conflict(f"该承诺当前状态为“{commitment.get_status_display()}”，不能再履行")
    upload = _uploads(
        actor, {"materials": [{"material": commitment.material, "file_id": file_id}]}
    )[commitment.material]
    commitment.status, commitment.upload, commitment.closed_at = (
        CommitmentStatus.FULFILLED,
        upload,
        timezone.now(),
    )
    commitment.save()
    case.materials.filter(material=commitment.material).update(
        state=MaterialState.UPLOADED, upload=upload
    )
    _event(
        case, actor, "commitment.fulfilled", commitment=commitment.pk, material=commitment.material
    )
    _tell_applicant(case, f"已收到您承诺补交的“{commitment.name}”", f"fulfilled:{commitment.pk}")
    return commitment


def commitments_remind(*, today: date | None = None) -> int:
    today = today or _today()
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    due = Commitment.objects.filter(
        status=CommitmentStatus.PENDING, reminded_on__isnull=True, due_date__lte=horizon
    )
    count = 0
    for commitment_id in due.values_list("pk", flat=True):
        count += _remind_one(commitment_id, today)
    return count


@transaction.atomic
def _remind_one(commitment_id: int, today: date) -> int:
    c = Commitment.objects.select_for_update().select_related("case").get(pk=commitment_id)
    if c.status != CommitmentStatus.PENDING or c.reminded_on:
        return 0
    c.reminded_on = today
    c.save(update_fields=["reminded_on"])
    _event(c.case, None, "commitment.reminded", commitment=c.pk, due_date=str(c.due_date))
    _tell_applicant(
        c.case, f"请于{c.due_date}前补交“{c.name}”", f"remind:{c.pk}", "逾期未补交将记入信用记录。"
    )
    return 1


def commitments_breach(*, today: date | None = None) -> int:
    today = today or _today()
    overdue = Commitment.objects.filter(status=CommitmentStatus.PENDING, due_date__lt=today)
    return sum(_breach_one(pk) for pk in overdue.values_list("pk", flat=True))


@transaction.atomic
def _breach_one(commitment_id: int) -> int:
    c = Commitment.objects.select_for_update().select_related("case").get(pk=commitment_id)
    if c.status != CommitmentStatus.PENDING:
        return 0
    case = c.case
    c.status, c.closed_at = CommitmentStatus.BREACHED, timezone.now()
    c.save(update_fields=["status", "closed_at"])
    data = case.applicant_data
    CreditRecord.objects.create(
        subject=data.get("credit_code") or data.get("id_number") or f"case:{case.pk}", name=data.get("name", ""),
        case=case, commitment=c, note=f"未在{c.due_date}前按承诺补交“{c.name}”（办件 {case.number}）",
    )  # fmt: skip
    case.flagged = True
    case.save(update_fields=["flagged"])
    users = next((m["used_by"] for m in case.blueprint["materials"] if m["code"] == c.material), [])
    for task in case.tasks.filter(item__in=users):
        Task.objects.filter(pk=task.pk).update(flagged=True)
        _tell_department(
            task, f"告知承诺未履行，请复核：{case.title} · {task.name}", f"breach:{c.pk}"
        )
    _event(
        case, None, "commitment.breached", commitment=c.pk, material=c.material, flagged_items=users
    )
    _tell_applicant(
        case,
        f"您未按承诺补交“{c.name}”",
        f"breach:{c.pk}",
        "已记入信用记录，相关审批结果将被复核。",
    )
    return 1


# ---- deadline warnings -------------------------------------------------------------------


def warning_level(task: Task, today: date) -> str:
    return task.warning_on(today)


def deadline_warnings(*, today: date | None = None) -> int:
    """Raise yellow/red warnings on running tasks; run by the worker, never by a page view."""
    today = today or _today()
    changed = 0
    for task in Task.objects.filter(status=TaskStatus.ACTIVE).select_related("case"):
        level = warning_level(task, today)
        if level != task.warning:
            changed += _set_warning(task.pk, level, today)
    return changed


@transaction.atomic
def _set_warning(task_id: int, level: str, today: date) -> int:
    # The task row only: decisions lock the case before the task, so this must not hold the case.
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .get(pk=task_id)
    )
    if (
        task.status != TaskStatus.ACTIVE
        or warning_level(task, today) != level
        or task.warning == level
    ):
        return 0
    task.warning = level
    task.save(update_fields=["warning"])
    _event(
        task.case,
        None,
        "task.warning",
        task=task.pk,
        item=task.item,
        level=level,
        deadline=str(task.deadline),
    )
    if level:
        label = Warning(level).label
        _tell_department(
            task,
            f"{label}：{task.case.title} · {task.name}（期限 {task.deadline}）",
            f"warn:{level}",
        )
    return 1
