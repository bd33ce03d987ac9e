"""A licence's face reads in words: a stored choice (male, female) is shown as its label."""

import pytest

from onething.accounts.models import Department
from onething.registry import presenters, services

pytestmark = pytest.mark.django_db


def test_a_birth_certificate_says_the_newborns_sex_in_chinese(standard_catalog, alice_person):
    health = Department.objects.get(kind_id="health", region_id="420102")
    lic = services.license_issue(
        license_type="birth_medical_certificate",
        department=health,
        data={"newborn_name": "张小宝", "newborn_gender": "female"},
        person=alice_person,
    )
    rows = dict(presenters.face_rows(lic))
    assert rows["新生儿性别"] == "女" and rows["新生儿姓名"] == "张小宝"
    assert presenters.face_data(lic)["newborn_gender"] == "female"  # the API keeps the code
