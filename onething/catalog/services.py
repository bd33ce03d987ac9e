"""Writes for the catalog: import, publish, advance through the five steps, export."""

from pathlib import Path

from django.db import transaction

from onething.accounts.models import DepartmentKind, Region
from onething.common.errors import DomainError
from onething.common.events import after_commit, record_event

from . import canonical, compiler, loader, signals
from .constants import STATUS_ORDER, Status
from .models import (
    DataElement,
    ItemMaterial,
    LicenseType,
    Material,
    OneClass,
    OneThing,
    OneThingItem,
    OneThingVersion,
    ServiceItem,
    Synonym,
)
from .snapshot import ITEM_PLAIN_FIELDS, build_snapshot, digest, snapshot_from_db


def _canonical_files(files: loader.CatalogFiles) -> dict[str, dict[str, dict]]:
    def index(entries, fn):
        return {e["code"]: fn(e) for _, e in entries}

    return {
        "departments": index(files.departments, canonical.department),
        "license_types": index(files.license_types, canonical.license_type),
        "data_elements": index(files.data_elements, canonical.data_element),
        "materials": index(files.materials, canonical.material),
        "items": index(files.items, canonical.item),
        "onethings": index(files.onethings, canonical.onething),
        "oneclasses": index(files.oneclasses, canonical.oneclass),
    }


def _snapshots(docs: dict) -> dict[str, dict]:
    return {
        code: build_snapshot(
            doc,
            items=docs["items"],
            materials=docs["materials"],
            license_types=docs["license_types"],
            elements=docs["data_elements"],
            departments=docs["departments"],
        )
        for code, doc in docs["onethings"].items()
    }


def catalog_check(*, path: Path) -> tuple[loader.CatalogFiles, dict, list[loader.Problem]]:
    """Read and validate the files; nothing is written."""
    files = loader.read_catalog(path)
    regions = set(Region.objects.values_list("code", flat=True)) or None
    problems = loader.validate_catalog(files, known_regions=regions)
    if problems:
        return files, {}, problems
    docs = _canonical_files(files)
    problems = loader.check_graphs(_snapshots(docs), files)
    return files, docs, problems


@transaction.atomic
def catalog_import(*, path: Path, actor=None, publish: bool = True) -> dict:
    """Import the catalog as one transaction: every file valid, or nothing changes."""
    files, docs, problems = catalog_check(path=path)
    if problems:
        raise loader.CatalogInvalid(problems)
    written = [
        *_write_reference_data(docs),
        *_write_items(docs["items"]),
        *(row for doc in docs["onethings"].values() for row in _write_onething(doc)),
        *_write_oneclasses(docs["oneclasses"]),
        *_write_synonyms([canonical.synonym(s) for _, s in files.synonyms]),
    ]
    published = (
        [onething_publish(onething=ot, actor=actor) for ot in OneThing.objects.all()]
        if publish
        else []
    )
    counts = {k: len(v) for k, v in docs.items()}
    counts["published"] = sum(1 for v in published if v is not None)
    record_event(
        actor=actor,
        verb="catalog.imported",
        obj=OneThing.objects.first() or Region.objects.first(),
        data=counts,
        objects=written,  # every row the import wrote or replaced, audited in one INSERT
    )
    after_commit(signals.catalog_changed)
    return counts


def _write_reference_data(docs: dict) -> list:
    written = []
    for d in docs["departments"].values():
        row, _ = DepartmentKind.objects.update_or_create(
            code=d["code"],
            defaults={"name": d["name"], "suffix": d["suffix"], "names": d.get("names") or {}},
        )
        written.append(row)
    for d in docs["license_types"].values():
        row, _ = LicenseType.objects.update_or_create(
            code=d["code"],
            defaults={
                "name": d["name"],
                "issuer_id": d["issuer"],
                "validity_years": d["validity_years"],
                "fields": d["fields"],
            },
        )
        written.append(row)
    for d in docs["data_elements"].values():
        row, _ = DataElement.objects.update_or_create(
            code=d["code"],
            defaults={k: d[k] for k in ("name", "type", "options", "max_length", "prefill")},
        )
        written.append(row)
    for d in docs["materials"].values():
        row, _ = Material.objects.update_or_create(
            code=d["code"],
            defaults={
                "name": d["name"],
                "description": d["description"],
                "license_type_id": d["license_type"],
                "registry_field": d["registry_field"] or "",
            },
        )
        written.append(row)
    return written


def _write_items(items: dict) -> list:
    written = []
    for d in items.values():
        item, _ = ServiceItem.objects.update_or_create(
            code=d["code"],
            defaults={
                **{k: d[k] for k in ITEM_PLAIN_FIELDS},
                "department_id": d["department"],
                "region_id": d["region"],
                "result_id": d["result"],
                "decided_by": d.get("decided_by") or "internal",
            },
        )
        written += [item, *_replaced(item.item_materials.all())]
        tolerance = set(d["tolerance"])
        written += ItemMaterial.objects.bulk_create(
            ItemMaterial(
                item=item,
                material_id=m["material"],
                required=m["required"],
                tolerance=m["material"] in tolerance,
                order=n,
            )
            for n, m in enumerate(d["materials"])
        )
    return written


def _replaced(rows) -> list[tuple]:
    """Delete the rows, returning them as (model, pk) for the audit."""
    gone = [(rows.model, pk) for pk in rows.values_list("pk", flat=True)]
    rows.delete()
    return gone


def _write_onething(d: dict) -> list:
    fields = (
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
        "committed_days",
        "visits",
        "sources",
    )
    ot, _ = OneThing.objects.update_or_create(
        code=d["code"],
        defaults={
            **{k: d[k] for k in fields},
            "lead_department_id": d["lead_department"],
            "region_id": d["region"],
        },
    )
    replaced = _replaced(ot.memberships.all())
    members = OneThingItem.objects.bulk_create(
        OneThingItem(
            onething=ot,
            item_id=m["item"],
            when=m.get("when"),
            when_source=m.get("when_source") or "",
            committed_days=m.get("committed_days"),
            instant=bool(m.get("instant")),
            order=n,
        )
        for n, m in enumerate(d["items"])
    )
    return [ot, *replaced, *members]


def _write_oneclasses(docs: dict) -> list:
    written = []
    for d in docs.values():
        oc, _ = OneClass.objects.update_or_create(
            code=d["code"],
            defaults={
                "name": d["name"],
                "subject": d["subject"],
                "description": d["description"],
                "questions": d["questions"],
            },
        )
        oc.onethings.set(d["onethings"])
        written.append(oc)
    return written


def _write_synonyms(rows: list[dict]) -> list:
    replaced = _replaced(Synonym.objects.all())
    return replaced + Synonym.objects.bulk_create(
        Synonym(canonical=r["canonical"], terms=r["terms"], order=n) for n, r in enumerate(rows)
    )


@transaction.atomic
def onething_publish(*, onething: OneThing, actor=None) -> OneThingVersion | None:
    """Freeze the draft as a new version, unless it equals the latest one."""
    snapshot = snapshot_from_db(onething)
    problems = onething_problems(snapshot=snapshot)
    if problems:
        raise DomainError("一件事定义有误，无法发布：" + "；".join(problems))
    latest = onething.versions.order_by("-number").first()
    dg = digest(snapshot)
    if latest and latest.digest == dg:
        return None
    number = (latest.number if latest else 0) + 1
    snapshot = {**snapshot, "version": number}
    version = OneThingVersion.objects.create(
        onething=onething, number=number, status=onething.status, snapshot=snapshot, digest=dg
    )
    record_event(
        actor=actor,
        verb="onething.published",
        obj=onething,
        objects=[version],
        data={"version": number},
    )
    after_commit(signals.catalog_changed)
    return version


def onething_problems(*, snapshot: dict) -> list[str]:
    """What makes a draft unpublishable, in Chinese, for the admin and the API."""
    problems = []
    if len(snapshot["items"]) < 2:
        problems.append("一件事至少包含两个事项")
    if len({i["department"]["code"] for i in snapshot["items"]}) < 2:
        problems.append("一件事的事项至少来自两个部门")
    needs = compiler.dependency_edges(snapshot, [i["code"] for i in snapshot["items"]])
    if cycle := compiler.find_cycle(needs):
        problems.append("事项前后置关系存在循环：" + " → ".join(cycle))
    elif snapshot.get("committed_days") is not None:
        days, path, _ = compiler.longest_committed_path(snapshot)
        if snapshot["committed_days"] < days:
            problems.append(
                f"一件事承诺时限 {snapshot['committed_days']} 天短于事项承诺时限的关键路径 {days} 天："
                + " → ".join(path)
            )
    return problems


@transaction.atomic
def onething_advance(*, onething: OneThing, to: str, actor=None) -> OneThing:
    """Move through 初标 → 试点 → 定标 → 培训 → 推广, one step forward at a time."""
    if to not in STATUS_ORDER:
        raise DomainError("标准化阶段无效", fields={"status": f"未知阶段：{to}"})
    current = STATUS_ORDER.index(onething.status)
    if STATUS_ORDER.index(to) != current + 1:
        raise DomainError(
            f"只能从“{onething.status}”进入下一阶段“{STATUS_ORDER[current + 1] if current + 1 < len(STATUS_ORDER) else '（已是最后阶段）'}”",
            fields={"status": f"不能从“{onething.status}”直接进入“{to}”"},
        )
    onething.status = Status(to)
    onething.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, verb="onething.status_changed", obj=onething, data={"to": to})
    onething_publish(onething=onething, actor=actor)
    return onething


def catalog_export(*, path: Path) -> list[Path]:
    from .exporter import write_catalog

    return write_catalog(Path(path))
