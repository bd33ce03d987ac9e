"""Before and after for time, materials, steps and visits, each with the reason it is what it is.

Before: the member items done alone, one after another (docs/catalog-format.md). After: the
one-thing as compiled. Published versions older than issue #20 carry neither per-item trips by
purpose nor committed limits; they are read the way they were compiled then, so a case's
figures never move under it.
"""

from ..constants import REFORM_TARGET_PERCENT, MaterialDisposition

VISIT_KINDS = ("submit", "inspect", "collect")
VISIT_LABELS = {"submit": "提交", "inspect": "现场踏勘/验收", "collect": "领取结果"}
# The province's 50 % target is set for time and materials; steps and visits are shown only.
TARGETED = ("time", "materials")
LABELS = {"time": "办理时间", "materials": "申请材料", "steps": "办理环节", "visits": "跑动次数"}
UNITS = {"time": "个工作日", "materials": "份", "steps": "个", "visits": "次"}


def alone_days(item: dict) -> int:
    """Days a person waits for the item done alone: 即办 items are decided on the spot."""
    return 0 if item.get("instant") else item["promised_days"]


def committed_days(item: dict) -> int:
    """The item's limit inside the one-thing (older snapshots: the promise made alone)."""
    return item.get("committed_days", item["promised_days"])


def trips_alone(item: dict) -> dict:
    if "visits_alone" in item:
        return {k: (item["visits_alone"] or {}).get(k, 0) for k in VISIT_KINDS}
    return {"submit": item.get("visits", 0), "inspect": 0, "collect": 0}


def _percent(before: int, after: int) -> float:
    return round((before - after) * 100 / before, 1) if before else 0.0


def _days(n: int) -> str:
    return "即办" if n == 0 else f"{n} 个工作日"


def time_figure(snapshot: dict, items: list[dict], path: list[str], path_days: int) -> dict:
    before = sum(alone_days(i) for i in items)
    committed = snapshot.get("committed_days")
    # The one-thing's limit covers its longest situation; a situation that leaves items out
    # is held to its own chain of committed item limits when that is shorter.
    after = min(committed, path_days) if committed is not None else path_days
    names = {i["code"]: i["name"] for i in items}
    alone = "＋".join(f"{i['name']}（{_days(alone_days(i))}）" for i in items)
    by_code = {i["code"]: i for i in items}
    chain = " → ".join(f"{names[c]}（{_days(committed_days(by_code[c]))}）" for c in path)
    shortened = [
        f"{i['name']}由单独办理{_days(alone_days(i))}压缩为{_days(committed_days(i))}"
        for i in items
        if committed_days(i) < alone_days(i)
    ]
    text = f"单独办理依次等待：{alone or '无'}，合计 {before} 个工作日。"
    if shortened:
        text += "一件事内各部门承诺压缩：" + "；".join(shortened) + "。"
    text += f"并联办理的关键路径：{chain or '无'}，共 {path_days} 个工作日"
    if committed is not None:
        source = (snapshot.get("sources") or {}).get("limits")
        text += f"；一件事整体承诺 {committed} 个工作日" + (f"（{source}）" if source else "")
        if path_days < committed:
            text += f"，本情形按关键路径 {path_days} 个工作日计"
    return {"before": before, "after": after, "explanation": text + "。"}


def materials_figure(items: list[dict], materials: list[dict]) -> dict:
    before = sum(len(i["materials"]) for i in items)
    asked = (MaterialDisposition.UPLOAD, MaterialDisposition.COMMITMENT)
    after = sum(1 for m in materials if m["disposition"] in asked)
    counts: dict[str, int] = {}
    for m in materials:
        if m["disposition"] not in asked:
            counts[m["disposition_label"]] = counts.get(m["disposition_label"], 0) + 1
    merged = before - len(materials)
    parts = [f"{n} 份{label}" for label, n in counts.items()]
    text = f"单独办理各事项共需提交 {before} 份材料；一件事只收一套：重复的 {merged} 份合并"
    text += ("，" + "、".join(parts) if parts else "") + f"，申请人实际提交或承诺 {after} 份。"
    return {"before": before, "after": after, "explanation": text}


def steps_figure(items: list[dict], stages: list[list[str]]) -> dict:
    by_code = {i["code"]: i for i in items}
    before = sum(i["steps"] for i in items)
    review = [max((max(by_code[c]["steps"] - 3, 0) for c in stage), default=0) for stage in stages]
    after = min(before, 3 + sum(review))
    text = (
        f"单独办理各事项环节相加共 {before} 个；一件事一次申请、一次受理、一次出件（3 个），"
        f"{len(stages)} 个阶段内的审查并联进行，按各阶段最长审查计 {sum(review)} 个，共 {after} 个。"
    )
    return {"before": before, "after": after, "explanation": text}


def visits_figure(snapshot: dict, items: list[dict]) -> dict:
    trips = {i["code"]: trips_alone(i) for i in items}
    before = sum(sum(t.values()) for t in trips.values())
    alone = "；".join(
        f"{i['name']}"
        + "、".join(f"{VISIT_LABELS[k]} {n} 次" for k, n in trips[i["code"]].items() if n)
        for i in items
        if sum(trips[i["code"]].values())
    )
    own = snapshot.get("visits")
    if own is None:
        after = max((sum(t.values()) for t in trips.values()), default=0)
        rule = f"按跑动最多的单个事项计 {after} 次"
    else:
        after = sum((own or {}).get(k, 0) for k in VISIT_KINDS)
        rule = (
            "一窗受理、联合踏勘/验收只跑一次、结果邮寄或电子证照送达："
            + "、".join(f"{VISIT_LABELS[k]} {own.get(k, 0)} 次" for k in VISIT_KINDS)
            + f"，共 {after} 次"
        )
    text = f"单独办理：{alone or '均无需到现场'}，合计 {before} 次；一件事{rule}。"
    return {"before": before, "after": after, "explanation": text}


def _flag(key: str, figure: dict) -> str | None:
    """Why a targeted figure falls short of the province's target, or None."""
    if key not in TARGETED or figure["before"] == 0 or figure["percent"] >= REFORM_TARGET_PERCENT:
        return None
    if figure["after"] > figure["before"]:
        return (
            f"{LABELS[key]}一件事为 {figure['after']}{UNITS[key]}，多于单独办理的"
            f" {figure['before']}{UNITS[key]}"
        )
    return (
        f"{LABELS[key]}仅压减 {figure['percent']}%（{figure['before']} → {figure['after']}"
        f"{UNITS[key]}），低于 {REFORM_TARGET_PERCENT}% 的目标"
    )


def reductions(snapshot, items, stages, path, path_days, materials) -> dict:
    figures = {
        "time": time_figure(snapshot, items, path, path_days),
        "materials": materials_figure(items, materials),
        "steps": steps_figure(items, stages),
        "visits": visits_figure(snapshot, items),
    }
    for key, fig in figures.items():
        fig["percent"] = _percent(fig["before"], fig["after"])
        fig["reason"] = _flag(key, fig)
        fig["flagged"] = fig["reason"] is not None
    shortfalls = [k for k in TARGETED if figures[k]["flagged"]]
    return {
        "before": {k: f["before"] for k, f in figures.items()},
        "after": {k: f["after"] for k, f in figures.items()},
        "percent": {k: f["percent"] for k, f in figures.items()},
        "target": REFORM_TARGET_PERCENT,
        "meets_target": not shortfalls,
        "shortfalls": shortfalls,
        "figures": figures,
    }
