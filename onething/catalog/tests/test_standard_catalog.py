"""The standard catalog in data/catalog is real content that meets the reform's rules."""

import pytest
from django.conf import settings

from onething.accounts.models import Department
from onething.catalog import selectors, services
from onething.catalog.constants import ENTERPRISE_STAGES, INDIVIDUAL_STAGES
from onething.catalog.models import OneClass, OneThing

REQUIRED = [
    "开办餐饮店",
    "开办运输企业",
    "个体工商户转型为企业",
    "企业信息变更",
    "企业迁移登记",
    "信用修复",
    "企业上市合法合规信息核查",
    "企业破产信息核查",
    "企业注销登记",
    "水电气网联合报装",
    "员工录用",
    "返乡创业",
    "工程建设项目审批",
    "开办零售药店",
    "新办纳税人开业",
    "新生儿出生",
    "教育入学",
    "失业",
    "社会保障卡居民服务",
    "二手房转移登记及水电气网联动过户",
    "住房公积金提取",
    "住房公积金个人住房贷款",
    "驾驶证到期换证",
    "异地就医备案",
    "残疾人服务",
    "困境儿童救助",
    "社会救助",
    "退休",
    "高龄津贴申领",
    "公民身后",
    "退役军人服务",
    "加装电梯",
    "农村建房",
    "户口迁移",
]


@pytest.fixture
def standard(standard_catalog):
    return standard_catalog


def test_the_34_required_one_things_are_there_by_name(standard):
    assert len(REQUIRED) == 34
    assert set(REQUIRED) <= set(OneThing.objects.values_list("name", flat=True))


def test_every_one_thing_spans_at_least_two_items_of_two_departments(standard):
    for row in selectors.summaries():
        assert row["item_count"] >= 2 and row["department_count"] >= 2, row["name"]


def test_every_life_cycle_stage_has_a_one_thing_and_there_are_one_classes(standard):
    stages = set(OneThing.objects.values_list("stage", flat=True))
    assert set(ENTERPRISE_STAGES + INDIVIDUAL_STAGES) <= stages
    assert OneClass.objects.count() >= 3


def test_every_one_thing_compiles_for_every_answer_to_each_question(standard):
    for ot in OneThing.objects.all():
        version = selectors.version_latest(ot.code)
        for q in version.snapshot["questions"]:
            for option in q["options"]:
                bp = selectors.blueprint(version, {q["code"]: option["value"]})
                assert bp["items"], (ot.code, q["code"], option["value"])


def test_export_of_the_standard_catalog_is_byte_stable(standard, tmp_path):
    services.catalog_export(path=tmp_path)
    for original in settings.CATALOG_DIR.rglob("*.yaml"):
        exported = tmp_path / original.relative_to(settings.CATALOG_DIR)
        assert exported.read_bytes() == original.read_bytes(), original.name


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        ("education", ["湖北省教育厅", "武汉市教育局", "武汉市江岸区教育局"]),
        ("court", ["湖北省高级人民法院", "武汉市中级人民法院", "武汉市江岸区人民法院"]),
        ("fire", ["湖北省消防救援总队", "武汉市消防救援支队", "武汉市江岸区消防救援大队"]),
        (
            "tax",
            [
                "国家税务总局湖北省税务局",
                "国家税务总局武汉市税务局",
                "国家税务总局武汉市江岸区税务局",
            ],
        ),
        ("customs", ["武汉海关", "武汉海关（武汉市）", "武汉海关（武汉市江岸区）"]),
        ("ecology", ["湖北省生态环境厅", "武汉市生态环境局", "武汉市生态环境局江岸区分局"]),
        ("market", ["湖北省市场监督管理局", "武汉市市场监督管理局", "武汉市江岸区市场监督管理局"]),
    ],
)
def test_departments_are_named_as_each_level_really_names_them(standard, kind, names):
    by_region = dict(Department.objects.filter(kind_id=kind).values_list("region_id", "name"))
    assert [by_region["420000"], by_region["420100"], by_region["420102"]] == names


def test_a_small_project_needs_no_construction_permit_and_the_rule_names_its_source(standard):
    version = selectors.version_latest("construction-project-approval")
    big = selectors.blueprint(version, {})
    small = selectors.blueprint(version, {"small_project": "yes"})
    assert "housing-construction-permit" in [i["code"] for i in big["items"]]
    excluded = {x["code"]: x for x in small["excluded"]}
    assert "《建筑工程施工许可管理办法》" in excluded["housing-construction-permit"]["when_source"]
    assert "100万元" in excluded["housing-construction-permit"]["when_source"]


def test_every_figure_has_its_source_and_the_committed_limits_hold(standard):
    for ot in OneThing.objects.all():
        snap = selectors.version_latest(ot.code).snapshot
        assert snap["sources"]["limits"], ot.code
        assert all(i["sources"]["limits"] for i in snap["items"]), ot.code
        bp = selectors.blueprint(selectors.version_latest(ot.code), {})
        assert bp["process"]["promised_days"] <= snap["committed_days"], ot.code
        for fig in bp["reductions"]["figures"].values():
            assert fig["explanation"] and (fig["reason"] is not None) == fig["flagged"]
