"""Validating the parsed catalog: pure, before anything touches the database; every problem
names its file, path and field."""

import re

from onething.accounts.constants import department_names_problems
from onething.rules import services as rules

from .. import compiler
from ..constants import (
    STAGES_BY_SUBJECT,
    CrossRegion,
    ElementType,
    HandlingLevel,
    ItemKind,
    OnlineLevel,
    Status,
    Subject,
)
from . import timing
from .files import CatalogFiles, Problem

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
REGISTRY_FIELDS = {
    "person": set(
        [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "household_region",
            "household_address",
            "residence_region",
            "residence_address",
            "phone",
            "marital_status",
            "disability_category",
            "disability_level",
            "is_veteran",
            "death_date",
            "education",
            "employment_status",
        ]
    ),
    "entity": set(
        [
            "name",
            "credit_code",
            "entity_type",
            "legal_rep_name",
            "legal_rep_id_number",
            "registered_region",
            "address",
            "industry_code",
            "registered_capital",
            "founded_on",
            "employees",
            "operating_status",
            "tax_credit_rating",
            "is_high_tech",
            "is_small_micro",
            "phone",
        ]
    ),
}


class _Checker:
    def __init__(self, files: CatalogFiles, known_regions: set[str] | None):
        self.files = files
        self.problems = list(files.problems)
        self.regions = known_regions

    def add(self, file: str, path: str, message: str) -> None:
        self.problems.append(Problem(file, path, message))

    def codes(self, entries, label: str) -> set[str]:
        seen: set[str] = set()
        for n, (file, entry) in enumerate(entries):
            code = entry.get("code")
            where = f"[{n}]" if file.endswith("s.yaml") or "/" in file else ""
            if not isinstance(code, str) or not CODE_RE.match(code):
                self.add(
                    file,
                    f"{where}/code",
                    f"{label}编码无效：{code!r}（只允许小写字母、数字、-、_）",
                )
            elif code in seen:
                self.add(file, f"{where}/code", f"{label}编码重复：{code}")
            seen.add(code) if isinstance(code, str) else None
        return seen

    def required(self, file, path, entry, keys):
        for key in keys:
            if entry.get(key) in (None, ""):
                self.add(file, f"{path}/{key}", "必填")

    def choice(self, file, path, value, choices, label):
        if value not in choices:
            self.add(
                file, path, f"{label}无效：{value!r}，应为 {'、'.join(map(str, choices))} 之一"
            )

    def number(self, file, path, value, label):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            self.add(file, path, f"{label}应为非负数：{value!r}")


def validate_catalog(
    files: CatalogFiles, *, known_regions: set[str] | None = None
) -> list[Problem]:
    c = _Checker(files, known_regions)
    kinds = c.codes(files.departments, "部门类别")
    lts = c.codes(files.license_types, "证照类型")
    elements = c.codes(files.data_elements, "数据元")
    materials = c.codes(files.materials, "材料")
    items = c.codes(files.items, "事项")
    onethings = c.codes(files.onethings, "一件事")
    c.codes(files.oneclasses, "一类事")
    _check_departments(c, files)
    _check_license_types(c, files, kinds)
    _check_elements(c, files, lts)
    _check_materials(c, files, lts)
    _check_items(c, files, kinds, lts, elements, materials)
    item_docs = {it.get("code"): it for _, it in files.items}
    for file, doc in files.onethings:
        _check_onething(c, file, doc, kinds, items)
        timing.check_onething(c, file, doc, item_docs)
    _check_oneclasses(c, files, onethings)
    _check_synonyms(c, files)
    return c.problems


def _check_departments(c: _Checker, files: CatalogFiles) -> None:
    for n, (file, d) in enumerate(files.departments):
        c.required(file, f"[{n}]", d, ["name", "suffix"])
        for level, message in department_names_problems(d.get("names") or {}):
            path = f"[{n}]/names/{level}" if level else f"[{n}]/names"
            c.add(file, path, f"{message}（部门类别 {d.get('code')}）")


def _check_license_types(c, files, kinds) -> None:
    for n, (file, lt) in enumerate(files.license_types):
        c.required(file, f"[{n}]", lt, ["name", "issuer"])
        if lt.get("issuer") not in kinds:
            c.add(file, f"[{n}]/issuer", f"未知部门类别：{lt.get('issuer')}")
        vy = lt.get("validity_years")
        if vy is not None and (not isinstance(vy, int) or vy <= 0):
            c.add(file, f"[{n}]/validity_years", f"有效期应为正整数或 null：{vy!r}")


def _prefill_ok(source: str, lts: set[str]) -> bool:
    parts = str(source).split(".")
    if parts[0] in REGISTRY_FIELDS:
        return len(parts) == 2 and parts[1] in REGISTRY_FIELDS[parts[0]]
    return parts[0] == "license" and len(parts) == 3 and parts[1] in lts


def _check_elements(c, files, lts) -> None:
    for n, (file, el) in enumerate(files.data_elements):
        c.required(file, f"[{n}]", el, ["name", "type"])
        c.choice(file, f"[{n}]/type", el.get("type"), ElementType.values, "数据元类型")
        if el.get("type") == ElementType.ENUM and not el.get("options"):
            c.add(file, f"[{n}]/options", "枚举类型必须给出选项")
        for k, src in enumerate(el.get("prefill") or []):
            if not _prefill_ok(src, lts):
                c.add(file, f"[{n}]/prefill/{k}", f"无法识别的预填来源：{src}")


def _check_materials(c, files, lts) -> None:
    for n, (file, m) in enumerate(files.materials):
        c.required(file, f"[{n}]", m, ["name"])
        if m.get("license_type") and m["license_type"] not in lts:
            c.add(file, f"[{n}]/license_type", f"未知证照类型：{m['license_type']}")
        rf = m.get("registry_field")
        if rf and not _prefill_ok(rf, set()):
            c.add(file, f"[{n}]/registry_field", f"未知共享数据字段：{rf}")


def _check_items(c, files, kinds, lts, elements, materials) -> None:
    position: dict[str, int] = {}
    for file, it in files.items:
        # Paths count within each file, which is where the administrator looks.
        n = position[file] = position.get(file, -1) + 1
        p = f"[{n}]"
        c.required(file, p, it, ["name", "department", "kind", "online_level"])
        if it.get("department") not in kinds:
            c.add(file, f"{p}/department", f"未知部门类别：{it.get('department')}")
        c.choice(file, f"{p}/kind", it.get("kind"), ItemKind.values, "事项类型")
        c.choice(file, f"{p}/level", it.get("level", "county"), HandlingLevel.values, "办理层级")
        c.choice(file, f"{p}/online_level", it.get("online_level"), OnlineLevel.values, "网办深度")
        c.choice(
            file, f"{p}/cross_region", it.get("cross_region", "无"), CrossRegion.values, "通办范围"
        )
        for key, label in [
            ("legal_days", "法定时限"),
            ("promised_days", "承诺时限"),
            ("steps", "环节数"),
            ("fee", "收费"),
        ]:
            c.number(file, f"{p}/{key}", it.get(key, 0 if key == "fee" else None), label)
        days = (it.get("promised_days"), it.get("legal_days"))
        if all(isinstance(d, int) for d in days) and days[0] > days[1]:
            c.add(file, f"{p}/promised_days", "承诺时限不能超过法定时限")
        timing.check_item(c, file, p, it)
        decided_by = it.get("decided_by", "internal")
        if not isinstance(decided_by, str) or not CODE_RE.match(decided_by):
            c.add(
                file,
                f"{p}/decided_by",
                "办理系统应为 internal 或部门业务系统编码（小写字母、数字、-、_）",
            )
        if it.get("result") and it["result"] not in lts:
            c.add(file, f"{p}/result", f"未知证照类型：{it['result']}")
        own = set()
        for k, m in enumerate(it.get("materials") or []):
            if not isinstance(m, dict) or m.get("material") not in materials:
                c.add(
                    file,
                    f"{p}/materials/{k}",
                    f"未知材料：{m.get('material') if isinstance(m, dict) else m}",
                )
            else:
                own.add(m["material"])
        for k, code in enumerate(it.get("tolerance") or []):
            if code not in own:
                c.add(file, f"{p}/tolerance/{k}", f"容缺材料不在本事项材料中：{code}")
        for k, code in enumerate(it.get("fields") or []):
            if code not in elements:
                c.add(file, f"{p}/fields/{k}", f"未知数据元：{code}")
        if it.get("region") and c.regions is not None and it["region"] not in c.regions:
            c.add(file, f"{p}/region", f"未知区划代码：{it['region']}")


def _check_rule(c, file, path, rule, questions: set[str]) -> None:
    if rule is None:
        return
    for err in rules.check_stored(rule, variables=questions):
        c.add(file, f"{path}{err.path}", f"规则无效：{err.message}")


def _check_questions(c, file, questions) -> set[str]:
    codes = set()
    for n, q in enumerate(questions or []):
        p = f"/questions/{n}"
        if not isinstance(q, dict) or not CODE_RE.match(str(q.get("code", ""))):
            c.add(file, f"{p}/code", "情形问题编码无效")
            continue
        if q["code"] in codes:
            c.add(file, f"{p}/code", f"情形问题编码重复：{q['code']}")
        codes.add(q["code"])
        c.required(file, p, q, ["text", "options"])
        values = [o.get("value") for o in q.get("options") or [] if isinstance(o, dict)]
        if len(values) < 2:
            c.add(file, f"{p}/options", "情形问题至少需要两个选项")
        if "default" in q and q["default"] not in values:
            c.add(file, f"{p}/default", f"默认答案不在选项中：{q['default']!r}")
    return codes


def _check_onething(c, file, doc, kinds, items) -> None:
    c.required(file, "", doc, ["code", "name", "subject", "stage", "lead_department"])
    if doc.get("code") and not file.endswith(f"{doc['code']}.yaml"):
        c.add(file, "/code", f"文件名应为 {doc['code']}.yaml")
    c.choice(file, "/subject", doc.get("subject"), Subject.values, "服务对象")
    stages = STAGES_BY_SUBJECT.get(doc.get("subject"), [])
    c.choice(file, "/stage", doc.get("stage"), stages, "生命周期阶段")
    c.choice(file, "/status", doc.get("status", Status.INITIAL), Status.values, "标准化阶段")
    if doc.get("lead_department") not in kinds:
        c.add(file, "/lead_department", f"未知部门类别：{doc.get('lead_department')}")
    if doc.get("region") and c.regions is not None and doc["region"] not in c.regions:
        c.add(file, "/region", f"未知区划代码：{doc['region']}")
    questions = _check_questions(c, file, doc.get("questions"))
    members = []
    for n, m in enumerate(doc.get("items") or []):
        code = m.get("item") if isinstance(m, dict) else None
        if code not in items:
            c.add(file, f"/items/{n}/item", f"未知事项：{code}")
        elif code in members:
            c.add(file, f"/items/{n}/item", f"事项重复：{code}")
        else:
            members.append(code)
        _check_rule(
            c, file, f"/items/{n}/when", m.get("when") if isinstance(m, dict) else None, questions
        )
    if len(members) < 2:
        c.add(file, "/items", "一件事至少包含两个事项")
    member_set = set(members)
    for n, dep in enumerate(doc.get("dependencies") or []):
        for key, code in [("item", dep.get("item"))] + [
            ("requires", r) for r in dep.get("requires") or []
        ]:
            if code not in member_set:
                c.add(
                    file,
                    f"/dependencies/{n}/{key}",
                    f"前后置关系引用了不在本一件事中的事项：{code}",
                )
    for n, rule in enumerate(doc.get("material_rules") or []):
        _check_rule(c, file, f"/material_rules/{n}/when", rule.get("when"), questions)
    for key in ("aliases", "keywords"):
        if not isinstance(doc.get(key, []), list):
            c.add(file, f"/{key}", "应为列表")


def _check_oneclasses(c, files, onethings) -> None:
    for n, (file, oc) in enumerate(files.oneclasses):
        c.required(file, f"[{n}]", oc, ["name", "subject", "onethings"])
        for k, code in enumerate(oc.get("onethings") or []):
            if code not in onethings:
                c.add(file, f"[{n}]/onethings/{k}", f"未知一件事：{code}")


def _check_synonyms(c, files) -> None:
    for n, (file, s) in enumerate(files.synonyms):
        if not s.get("canonical") or not isinstance(s.get("terms"), list) or not s["terms"]:
            c.add(file, f"[{n}]", "同义词条目需要 canonical 和非空 terms")


def check_graphs(snapshots: dict[str, dict], files: CatalogFiles) -> list[Problem]:
    """Cycles over every member item (all situations at once), found before saving."""
    problems = []
    origin = {doc.get("code"): file for file, doc in files.onethings}
    for code, snap in snapshots.items():
        needs = compiler.dependency_edges(snap, [i["code"] for i in snap["items"]])
        if cycle := compiler.find_cycle(needs):
            problems.append(
                Problem(
                    origin.get(code, code),
                    "/dependencies",
                    "事项前后置关系存在循环：" + " → ".join(cycle),
                )
            )
    return problems or timing.check_committed_paths(snapshots, origin)
