"""The demo world in a test: the real catalog, the demo accounts and the demo applicants' records,
and helpers that take an application through the services the way the demo accounts would."""

import io
import itertools
from datetime import date

from django.conf import settings
from django.utils import timezone

APPLICANTS = ("demo_citizen", "demo_enterprise")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_world() -> None:
    """What `onething demo load` builds for people, without the bulk registries and history."""
    from onething.accounts import demo as accounts_demo
    from onething.accounts import services as accounts
    from onething.catalog import services as catalog
    from onething.integration import demo as integration_demo
    from onething.registry import demo as registry_demo

    accounts.regions_load()
    catalog.catalog_import(path=settings.CATALOG_DIR)
    accounts_demo.users_load(stdout=io.StringIO())
    registry_demo._demo_users(timezone.localdate())
    integration_demo.systems_ensure()  # the two departments of 开办餐饮店 with their own systems


def user(username: str):
    from onething.accounts.models import User

    return User.objects.select_related("department", "region").get(username=username)


def answer_sets(snapshot: dict) -> list[dict]:
    """Few situations that together include every item of the one-thing."""
    from onething.catalog import compiler

    questions = snapshot.get("questions", [])
    options = [[o["value"] for o in q.get("options", [])] for q in questions]
    combos = [
        dict(zip([q["code"] for q in questions], c, strict=True))
        for c in itertools.product(*options)
    ]
    wanted, chosen = {i["code"] for i in snapshot["items"]}, []
    while wanted:
        best = max(combos, key=lambda a: len(wanted & _items(compiler, snapshot, a)), default=None)
        covered = _items(compiler, snapshot, best) if best is not None else set()
        if not wanted & covered:
            break
        chosen.append(best)
        wanted -= covered
    return chosen or [{}]


def _items(compiler, snapshot: dict, answers: dict) -> set[str]:
    try:
        return {i["code"] for i in compiler.compile_blueprint(snapshot, answers)["items"]}
    except compiler.CompileError:
        return set()


def typed_value(field: dict, schema: dict):
    """A value an applicant could type for a field the registry does not fill."""
    from onething.common.validators import make_credit_code, make_id_number

    fmt, kind = schema.get("format"), schema.get("type")
    if fmt == "id_number":
        return make_id_number("420102", date(1990, 1, 1), 77)
    if fmt == "credit_code":
        return make_credit_code("420102", "MA4KCW8N")
    if fmt == "phone":
        return "13871009999"
    if fmt == "region":
        return "420102"
    if fmt == "date":
        return timezone.localdate().isoformat()
    if schema.get("enum"):
        return schema["enum"][0]
    return {"number": 50, "integer": 1, "boolean": True}.get(kind, f"演示{field['label']}"[:20])


def application(applicant, onething: str, answers: dict | None = None, **extra) -> dict:
    """A complete submission body: typed values for what the registry does not fill, a file for
    every material that is neither exempt (registry, wallet) nor produced by an earlier item."""
    from onething.cases import gateway, services
    from onething.catalog import selectors as catalog
    from onething.registry import selectors as registry
    from onething.registry import services as registry_services

    version = catalog.version_latest(onething)
    person, entity = registry.person_for_user(applicant), registry.entity_for_user(applicant)
    answers = {**(answers or {}), **_facts(version.snapshot, person, entity)}
    bp = catalog.blueprint(version, answers)
    # What the page locks: a registry value that fails its own field is offered, not locked.
    filled = gateway.prefill(blueprint=bp, person=person, entity=entity)
    exempt = registry_services.exemptions(blueprint=bp, person=person, entity=entity)
    props = bp["form"]["schema"]["properties"]
    form = {
        row["field"]: typed_value(row, props[row["field"]])
        for row in bp["form"]["layout"]
        if not filled.get(row["field"], {}).get("read_only")
    }
    files = [
        {"material": m["code"], "file_id": str(_upload(services, applicant).pk)}
        for m in bp["materials"]
        if m["code"] not in exempt and m["disposition"] != "earlier_item"
    ]
    body = {
        "onething": onething,
        "answers": answers,
        "form": form,
        "materials": files,
        "channel": "portal",
    }
    return {**body, **extra}


def _facts(snapshot: dict, person, entity) -> dict:
    """Situations taken from the licences held (一键三联, a business licence already held)."""
    from onething.cases import checks
    from onething.registry import selectors as registry

    if person is None and entity is None:
        return {}
    held = {lic.license_type_id for lic in registry.licenses_of(person=person, entity=entity)}
    return checks.derived_answers(snapshot, held, getattr(entity, "entity_type", ""))


def _upload(services, owner):
    return services.upload_create(owner=owner, name="材料.pdf", chunks=[PDF])


def deciders_of(department) -> list:
    """The demo accounts that can decide the department's tasks."""
    from onething.accounts.constants import Role
    from onething.accounts.models import User

    return list(
        User.objects.filter(
            username__startswith="demo_",
            department=department,
            is_active=True,
            role__in=[Role.DEPT_REVIEWER, Role.DEPT_ADMIN],
        ).select_related("department", "region")
    )


def decide_all(case) -> list[str]:
    """Every department's demo account approves what its queue shows of this case, stage by
    stage, until nothing is open; returns the usernames that decided."""
    from onething.cases import selectors, services
    from onething.cases.constants import TaskStatus

    deciders = []
    for _ in range(len(case.blueprint["items"]) + 1):
        active = list(case.tasks.filter(status=TaskStatus.ACTIVE).select_related("department"))
        if not active:
            break
        for task in active:
            if system := decide_in_system(task):
                deciders.append(f"system:{system}")
                continue
            reviewer = deciders_of(task.department)[0]
            queued = selectors.tasks_queue(reviewer).filter(case=case)
            assert task in queued, f"{reviewer.username} 的队列里没有 {task.name}"
            services.task_decide(
                task_id=task.pk, actor=reviewer, decision="approve", opinion="同意"
            )
            deciders.append(reviewer.username)
    case.refresh_from_db()
    return deciders


def decide_in_system(task) -> str:
    """A task a connected department system holds is decided there: its dispatch, as the outbox
    holds it, goes to the reference department system (verified as over HTTP), which decides
    as in the demo; its signed callbacks go through onething's callback path. '' when internal."""
    from onething.integration import demo, deptsim, signing
    from onething.integration import services as integration
    from onething.integration.models import Delivery

    delivery = (
        Delivery.objects.select_related("link__system")
        .filter(link__task_id=task.pk, link__handed_back=False, kind="started")
        .first()
    )
    if delivery is None:
        return ""
    system = delivery.link.system
    spec = next(i for i in task.case.version.snapshot["items"] if i["code"] == task.item)
    missing = set(spec["fields"]) - set(delivery.body["data"]["form"])
    assert not missing, f"{task.item} 的推送缺少字段 {sorted(missing)}"  # produced ones included
    sim = deptsim.Sim(secret=system.secret, signing_key=system.signing_key, source="demo")
    sim.control["result"] = next(s["result"] for s in demo.SYSTEMS if s["code"] == system.code)
    body = signing.encode(delivery.body)
    status, _ = sim.receive(
        signing.headers(system.signing_key, str(delivery.pk), body), body, schedule=False
    )
    assert status == 202, f"{system.code} 拒收推送"
    for event in sim.decide(str(delivery.link.ref), "dispatched"):
        raw = signing.encode(event)
        answer = integration.callback_receive(
            system_code=system.code,
            headers=signing.headers(system.secret, event["id"], raw),
            body=raw,
        )
        assert answer["status"] == "applied", answer
    return system.code
