"""Nobody types a GB/T 2260 code: region fields are picked by name and read back by name."""

import re

import pytest
from django.test import Client

from onething.accounts import selectors as accounts
from onething.accounts.models import User

pytestmark = pytest.mark.django_db


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_choices_group_the_province_by_city_and_add_the_other_provinces(demo_world):
    groups = dict(accounts.region_choices())
    assert ("420102", "武汉市江岸区") in groups["武汉市"]
    assert ("420100", "武汉市（全市）") in groups["武汉市"]
    others = dict(groups["其他省（自治区、直辖市）"])
    assert others["110000"] == "北京市" and "420000" not in others and len(others) == 33
    assert "其他省（自治区、直辖市）" not in dict(accounts.region_choices(beyond_province=False))


def test_a_region_reads_as_its_name_wherever_it_is(demo_world):
    assert accounts.region_label("420102") == "武汉市江岸区"
    assert accounts.region_label("420100") == "武汉市"
    assert accounts.region_label("440000") == "广东省"
    assert accounts.region_label("999999") == "999999"  # unknown stays visible, never guessed


def test_a_citizen_picks_the_medical_destination_by_name_and_sees_her_own_region_named(demo_world):
    page = _as("demo_citizen").get("/cases/apply/cross-region-medical-filing").content.decode()
    select = re.search(r'<select id="f_destination_region".*?</select>', page, re.S)
    assert select and '<option value="110000" >北京市</option>' in select.group(0)
    assert 'name="f_destination_region" value=' not in page  # no text box for a code
    assert not re.search(
        r'class="prefilled"[^>]*value="4201\d\d"|value="4201\d\d"[^>]*readonly', page
    )


def test_a_hotline_operator_picks_the_callers_region_by_name(demo_world):
    operator = User.objects.get(username="demo_hotline")
    page = _as("demo_hotline").get("/feedback/tickets/").content.decode()
    select = re.search(r'<select id="region".*?</select>', page, re.S)
    assert select and "武汉市江岸区" in select.group(0) and "所在区划代码" not in page
    assert f'<option value="{operator.region_id}" selected>' in select.group(
        0
    )  # her own area first
