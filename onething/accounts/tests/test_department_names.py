"""A department's name: the kind's pattern for the region's level, or the region and the suffix."""

import pytest
from django.core.exceptions import ValidationError

from onething.accounts import services
from onething.accounts.models import Department, DepartmentKind, Region

HUBEI, WUHAN, JIANGAN, XIANTAO = "420000", "420100", "420102", "429004"

EDUCATION = DepartmentKind(
    code="education", name="教育部门", suffix="教育局", names={"province": "{region}教育厅"}
)
COURT = DepartmentKind(
    code="court",
    name="人民法院",
    suffix="中级人民法院",
    names={"province": "{region}高级人民法院", "county": "{region}人民法院"},
)
TAX = DepartmentKind(
    code="tax",
    name="税务部门",
    suffix="税务局",
    names={level: "国家税务总局{region}税务局" for level in ("province", "city", "county")},
)
ECOLOGY = DepartmentKind(
    code="ecology",
    name="生态环境部门",
    suffix="生态环境局",
    names={"county": "{city}生态环境局{county}分局"},
)
MARKET = DepartmentKind(code="market", name="市场监管部门", suffix="市场监督管理局")


@pytest.mark.parametrize(
    ("kind", "region", "name"),
    [
        (EDUCATION, HUBEI, "湖北省教育厅"),  # the level's pattern
        (EDUCATION, WUHAN, "武汉市教育局"),  # no pattern for the city: region + suffix
        (EDUCATION, JIANGAN, "武汉市江岸区教育局"),  # a county's prefix is its city and itself
        (COURT, HUBEI, "湖北省高级人民法院"),
        (COURT, WUHAN, "武汉市中级人民法院"),
        (COURT, JIANGAN, "武汉市江岸区人民法院"),
        (TAX, HUBEI, "国家税务总局湖北省税务局"),
        (TAX, WUHAN, "国家税务总局武汉市税务局"),
        (TAX, JIANGAN, "国家税务总局武汉市江岸区税务局"),
        (ECOLOGY, JIANGAN, "武汉市生态环境局江岸区分局"),  # {city} and {county} apart
        (ECOLOGY, XIANTAO, "仙桃市生态环境局"),  # a directly administered city is a city
        (MARKET, HUBEI, "湖北省市场监督管理局"),  # a kind without patterns names as before
        (MARKET, JIANGAN, "武汉市江岸区市场监督管理局"),
    ],
)
def test_a_department_is_named_by_its_levels_pattern_or_else_region_and_suffix(
    regions, kind, region, name
):
    assert services.department_name(kind=kind, region=Region.objects.get(code=region)) == name


def test_the_province_s_city_placeholder_is_the_province_itself(regions):
    kind = DepartmentKind(code="x", name="x", suffix="局", names={"province": "{city}厅"})
    assert services.department_name(kind=kind, region=Region.objects.get(code=HUBEI)) == "湖北省厅"


def test_departments_ensure_names_new_departments_and_leaves_existing_names_alone(regions):
    kind = DepartmentKind.objects.create(
        code="education", name="教育部门", suffix="教育局", names={"province": "{region}教育厅"}
    )
    hubei, wuhan = Region.objects.get(code=HUBEI), Region.objects.get(code=WUHAN)
    Department.objects.create(
        code="420100-education", name="武汉市教育局（改）", kind=kind, region=wuhan
    )
    services.departments_ensure(regions=[hubei, wuhan])
    names = dict(Department.objects.filter(kind=kind).values_list("region_id", "name"))
    assert names == {HUBEI: "湖北省教育厅", WUHAN: "武汉市教育局（改）"}


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ({"town": "{region}教育办"}, "town：层级无效：'town'，应为 province、city、county 之一"),
        ({"province": "{county}教育厅"}, "province：未知占位符：{county}，省级名称只能用"),
        ({"city": "{region"}, "city：名称模式的花括号不成对：{region"),
    ],
)
def test_an_administrator_cannot_save_a_name_pattern_that_cannot_be_filled(names, message):
    kind = DepartmentKind(code="education", name="教育部门", suffix="教育局", names=names)
    with pytest.raises(ValidationError) as exc:
        kind.clean()
    assert any(m.startswith(message) for m in exc.value.message_dict["names"])
