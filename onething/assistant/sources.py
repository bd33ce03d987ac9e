"""What the index is built from: one function per kind of document, plus the fingerprint.

A new kind (policies) is added by writing a function that returns `Doc` rows and calling
`register_source(fn)`; nothing else changes.

The catalog has no selectors yet for synonyms and the change fingerprint, so the few model
reads live here, in one place, until ``catalog.selectors`` offers them.
"""

import hashlib
from collections.abc import Callable, Iterable

from onething.catalog import selectors as catalog

from .index import Doc

Source = Callable[[], Iterable[Doc]]


def latest_snapshots() -> list[dict]:
    return catalog.latest_snapshots()


def onething_docs() -> list[Doc]:
    return [_onething_doc(s) for s in latest_snapshots()]


def _onething_doc(s: dict) -> Doc:
    faq = [f"{f.get('q', '')} {f.get('a', '')}" for f in s.get("faq", [])]
    return Doc(
        code=s["code"],
        name=s["name"],
        kind="onething",
        title=[s["name"], *s.get("aliases", [])],
        keys=list(s.get("keywords", [])),
        body=[s.get("description") or "", *faq, *(q["text"] for q in s.get("questions", []))]
        + [i["name"] for i in s["items"]],
        detail=[m["name"] for m in s.get("materials", {}).values()]
        + [i.get("conditions") or "" for i in s["items"]],
        onethings=(s["code"],),
    )


def item_docs() -> list[Doc]:
    """Member items of the published one-things, each once, knowing every owner."""
    items: dict[str, dict] = {}
    owners: dict[str, list[str]] = {}
    for s in latest_snapshots():
        for item in s["items"]:
            items.setdefault(item["code"], {**item, "_materials": s.get("materials", {})})
            owners.setdefault(item["code"], []).append(s["code"])
    return [_item_doc(item, tuple(owners[code])) for code, item in items.items()]


def _item_doc(item: dict, owners: tuple[str, ...]) -> Doc:
    materials = item["_materials"]
    return Doc(
        code=item["code"],
        name=item["name"],
        kind="item",
        title=[item["name"]],
        body=[item.get("conditions") or "", item["department"]["name"], item.get("kind") or ""],
        detail=[
            materials[m["material"]]["name"]
            for m in item["materials"]
            if m["material"] in materials
        ],
        onethings=owners,
    )


def oneclass_docs() -> list[Doc]:
    return [
        Doc(
            code=oc.code,
            name=oc.name,
            kind="oneclass",
            title=[oc.name],
            body=[oc.description, *(ot.name for ot in oc.onethings.all())],
            onethings=tuple(ot.code for ot in oc.onethings.all()),
        )
        for oc in catalog.oneclasses()
    ]


SOURCES: list[Source] = [onething_docs, oneclass_docs, item_docs]


def register_source(fn: Source) -> Source:
    """Add a kind of document (e.g. policies); usable as a decorator."""
    if fn not in SOURCES:
        SOURCES.append(fn)
    return fn


def all_docs() -> list[Doc]:
    return [doc for source in SOURCES for doc in source()]


def synonym_groups() -> list[tuple[str, list[str]]]:
    return catalog.synonym_groups()


def fingerprint() -> str:
    """Changes whenever anything indexed changes, so every process notices a new catalog."""
    extra = [getattr(fn, "fingerprint", lambda: "")() for fn in SOURCES]
    return hashlib.sha1(repr((catalog.change_fingerprint(), extra)).encode()).hexdigest()
