"""Plain-function factories for registry tests."""

from datetime import date

from onething.accounts.models import Department
from onething.common.validators import make_credit_code, make_id_number

from .. import services

_seq = iter(range(1, 10**6))


def person(*, name="刘爱丽", region="420102", born=date(1990, 5, 17), female=True, **fields):
    sequence = next(_seq) % 500 * 2 + (0 if female else 1)
    return services.person_create(
        id_number=make_id_number(region, born, sequence),
        name=name,
        household_region_id=region,
        **fields,
    )


def entity(*, name="武汉市江岸区测试餐饮有限公司", region="420102", legal_rep=None, **fields):
    body = f"{next(_seq):08d}"
    return services.entity_create(
        credit_code=make_credit_code(region, body),
        name=name,
        entity_type="llc",
        legal_rep=legal_rep,
        registered_region_id=region,
        **fields,
    )


def department(kind="market", region="420102"):
    return Department.objects.get(kind_id=kind, region_id=region)
