"""Checks of the time and visit model and of the sources (issue #20), for loader.validate_catalog.

Each check adds problems to the loader's checker; nothing here touches the database.
"""

from .. import compiler
from ..compiler.reductions import VISIT_KINDS
from .files import Problem


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_visits(c, file: str, path: str, value, label: str) -> None:
    if not isinstance(value, dict):
        c.add(file, path, f"{label}必填，格式为 {{submit: 次数, inspect: 次数, collect: 次数}}")
        return
    for key in value:
        if key not in VISIT_KINDS:
            c.add(
                file, f"{path}/{key}", f"未知的跑动类别：{key}（只允许 submit、inspect、collect）"
            )
        elif not _count(value[key]):
            c.add(file, f"{path}/{key}", f"跑动次数应为非负整数：{value[key]!r}")


def check_sources(c, file: str, path: str, value, *, required: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        c.add(file, path, "数据来源必填：至少给出 limits（时限依据）")
        return
    for key in required:
        if not _text(value.get(key)):
            c.add(file, f"{path}/{key}", "必填：请写明时限的出处（法律法规条款或办事指南）")
    for key, text in value.items():
        if not _text(text):
            c.add(file, f"{path}/{key}", "数据来源应为非空文字")


def check_item(c, file: str, p: str, it: dict) -> None:
    if "visits" in it:
        c.add(file, f"{p}/visits", "visits 已由 visits_alone（单独办理时的跑动次数）取代")
    check_visits(c, file, f"{p}/visits_alone", it.get("visits_alone"), "单独办理跑动次数")
    if not isinstance(it.get("instant", False), bool):
        c.add(file, f"{p}/instant", f"即办件应为 true 或 false：{it.get('instant')!r}")
    check_sources(c, file, f"{p}/sources", it.get("sources"), required=("limits",))


def check_onething(c, file: str, doc: dict, items: dict[str, dict]) -> None:
    """One-thing level keys and per-member committed limits; ``items`` are the item files."""
    days = doc.get("committed_days")
    if not _count(days):
        c.add(file, "/committed_days", f"一件事承诺时限必填，应为非负整数（工作日）：{days!r}")
    check_visits(c, file, "/visits", doc.get("visits"), "一件事跑动次数")
    check_sources(c, file, "/sources", doc.get("sources"), required=("limits",))
    departments = set()
    for n, m in enumerate(doc.get("items") or []):
        if not isinstance(m, dict) or m.get("item") not in items:
            continue
        item = items[m["item"]]
        departments.add(item.get("department"))
        _check_member(c, file, f"/items/{n}", m, item)
    if len(departments) < 2:
        c.add(file, "/items", "一件事的事项至少来自两个部门")


def _check_member(c, file: str, p: str, m: dict, item: dict) -> None:
    given = m.get("committed_days")
    promised = item.get("promised_days")
    if given is not None:
        if not _count(given):
            c.add(file, f"{p}/committed_days", f"事项承诺时限应为非负整数：{given!r}")
        elif _count(promised) and given > promised:
            c.add(
                file,
                f"{p}/committed_days",
                f"一件事内承诺时限 {given} 天不能长于单独办理的承诺时限 {promised} 天",
            )
    instant = m.get("instant", False)
    if not isinstance(instant, bool):
        c.add(file, f"{p}/instant", f"即办应为 true 或 false：{instant!r}")
    elif instant and given not in (None, 0):
        c.add(file, f"{p}/committed_days", "即办事项的承诺时限应为 0（或省略）")
    if "when_source" in m and not _text(m["when_source"]):
        c.add(file, f"{p}/when_source", "适用情形依据应为非空文字")
    if "when_source" in m and m.get("when") is None:
        c.add(file, f"{p}/when_source", "只有带适用情形（when）的事项才需要情形依据")


def check_committed_paths(snapshots: dict[str, dict], origin: dict[str, str]) -> list:
    """A one-thing may not commit less than its longest chain of committed item limits."""
    problems = []
    for code, snap in snapshots.items():
        committed = snap.get("committed_days")
        if committed is None:
            continue
        days, path, answers = compiler.longest_committed_path(snap)
        if committed < days:
            names = {i["code"]: i["name"] for i in snap["items"]}
            chain = " → ".join(names[c] for c in path)
            where = f"（情形：{answers}）" if answers else ""
            problems.append(
                Problem(
                    origin.get(code, code),
                    "/committed_days",
                    f"一件事承诺时限 {committed} 天短于事项承诺时限的关键路径 {days} 天："
                    f"{chain}{where}",
                )
            )
    return problems
