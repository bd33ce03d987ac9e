"""Fixtures: a tiny registry (an enterprise, old people, a disabled person) and the demo policies."""

from datetime import date

import pytest

from onething.common.validators import make_credit_code, make_id_number
from onething.registry import services as registry
from onething.testing import PASSWORD, _persona  # noqa: F401  (re-exported fixtures below)

_seq = iter(range(1, 10**6))


def person(*, name="刘爱丽", region="420102", born=date(1990, 5, 17), **fields):
    number = make_id_number(region or "420102", born, next(_seq) % 500 * 2)
    home = region or None  # "" makes a person whose household region is not on record
    return registry.person_create(id_number=number, name=name, household_region_id=home, **fields)


def entity(*, name="武汉市江岸区楚味餐饮有限公司", region="420102", **fields):
    defaults = {
        "entity_type": "llc",
        "industry_code": "H6210",
        "employees": 12,
        "founded_on": date(2021, 3, 18),
        "tax_credit_rating": "B",
        "is_small_micro": True,
    }
    code = make_credit_code(region, f"{next(_seq):08d}")
    return registry.entity_create(
        credit_code=code, name=name, registered_region_id=region, **(defaults | fields)
    )


def years_ago(n: int, extra_days: int = 10) -> date:
    today = date.today()
    return date(today.year - n, today.month, min(today.day, 28)).fromordinal(
        date(today.year - n, today.month, min(today.day, 28)).toordinal() - extra_days
    )


@pytest.fixture
def library(regions):
    from onething.policies import demo

    class Out:
        def write(self, text):
            self.text = text

    demo.load(seed=1, stdout=Out())


@pytest.fixture
def firm(regions):
    return entity()


@pytest.fixture
def enterprise_user(firm, regions):
    return _persona(
        "chuwei", "applicant_entity", credit_code=firm.credit_code, display_name="楚味餐饮"
    )


@pytest.fixture
def elders(regions):
    return {
        "p85": person(name="王八五", born=years_ago(85), region="420102"),
        "p92": person(name="李九二", born=years_ago(92), region="420106"),
        "p101": person(name="张百一", born=years_ago(101), region="420500"),
        "young": person(name="赵七九", born=years_ago(79, -20)),
        "dead": person(name="钱已故", born=years_ago(88), death_date=date(2024, 1, 5)),
    }


@pytest.fixture
def elder_user(elders, regions):
    p = elders["p85"]
    return _persona("wang85", "applicant_person", id_number=p.id_number, display_name=p.name)
