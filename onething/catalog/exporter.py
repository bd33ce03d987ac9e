"""Write the catalog back to files in canonical form (export and fmt share this)."""

from collections import defaultdict
from pathlib import Path

from onething.accounts.models import DepartmentKind

from . import canonical, loader
from .models import DataElement, LicenseType, Material, OneClass, OneThing, ServiceItem, Synonym
from .snapshot import (
    element_dict,
    item_dict,
    license_type_dict,
    material_dict,
    oneclass_dict,
    onething_dict,
)


def render_files(docs: dict) -> dict[str, str]:
    """Canonical docs (lists per kind) → {relative path: YAML text}."""
    out = {
        "departments.yaml": loader.dump_yaml(docs["departments"]),
        "license_types.yaml": loader.dump_yaml(docs["license_types"]),
        "data_elements.yaml": loader.dump_yaml(docs["data_elements"]),
        "materials.yaml": loader.dump_yaml(docs["materials"]),
        "oneclasses.yaml": loader.dump_yaml(docs["oneclasses"]),
        "synonyms.yaml": loader.dump_yaml(docs["synonyms"]),
    }
    by_kind = defaultdict(list)
    for item in docs["items"]:
        by_kind[item["department"]].append(item)
    for kind, items in sorted(by_kind.items()):
        out[f"items/{kind}.yaml"] = loader.dump_yaml(items)
    for ot in docs["onethings"]:
        out[f"onethings/{ot['code']}.yaml"] = loader.dump_yaml(ot)
    return out


def docs_from_db() -> dict:
    return {
        "departments": [
            canonical.department(
                {"code": d.code, "name": d.name, "suffix": d.suffix, "names": d.names}
            )
            for d in DepartmentKind.objects.order_by("code")
        ],
        "license_types": [license_type_dict(x) for x in LicenseType.objects.order_by("code")],
        "data_elements": [element_dict(x) for x in DataElement.objects.order_by("code")],
        "materials": [material_dict(x) for x in Material.objects.order_by("code")],
        "items": [
            item_dict(x)
            for x in ServiceItem.objects.order_by("code").prefetch_related("item_materials")
        ],
        "onethings": [
            onething_dict(x)
            for x in OneThing.objects.order_by("code").prefetch_related("memberships")
        ],
        "oneclasses": [oneclass_dict(x) for x in OneClass.objects.order_by("code")],
        "synonyms": [
            canonical.synonym({"canonical": s.canonical, "terms": s.terms})
            for s in Synonym.objects.all()
        ],
    }


def docs_from_files(files: loader.CatalogFiles) -> dict:
    def sort(entries, fn):
        return sorted((fn(e) for _, e in entries), key=lambda d: d["code"])

    return {
        "departments": sort(files.departments, canonical.department),
        "license_types": sort(files.license_types, canonical.license_type),
        "data_elements": sort(files.data_elements, canonical.data_element),
        "materials": sort(files.materials, canonical.material),
        "items": sort(files.items, canonical.item),
        "onethings": sort(files.onethings, canonical.onething),
        "oneclasses": sort(files.oneclasses, canonical.oneclass),
        "synonyms": [canonical.synonym(s) for _, s in files.synonyms],
    }


def write_tree(root: Path, rendered: dict[str, str]) -> list[Path]:
    written = []
    for rel, text in rendered.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def write_catalog(root: Path) -> list[Path]:
    return write_tree(root, render_files(docs_from_db()))
