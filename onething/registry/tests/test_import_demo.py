import io
import json
import time

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onething.accounts import demo as accounts_demo
from onething.accounts.models import User
from onething.registry import demo, importing, selectors, services, synthfiles
from onething.registry.models import Entity, License, Person

pytestmark = pytest.mark.django_db

HEADER = "id_number,name,household_region,marital_status,phone\n"


def test_a_good_csv_imports_and_a_second_run_updates(tmp_path, regions):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "11010519491231002X,王芳,420102,已婚,13800000000\n", encoding="utf-8")
    assert importing.import_file(kind="persons", path=path) == 1
    person = Person.objects.get()
    assert (person.gender, str(person.birth_date), person.marital_status) == (
        "female",
        "1949-12-31",
        "married",
    )
    path.write_text(HEADER + "11010519491231002X,王芳,420102,丧偶,\n", encoding="utf-8")
    importing.import_file(kind="persons", path=path)
    assert Person.objects.get().marital_status == "widowed"


def test_one_bad_row_rejects_the_whole_file_with_line_and_reason(tmp_path, regions):
    path = tmp_path / "p.csv"
    rows = [
        "11010519491231002X,王芳,420102,,",
        "110105194912310021,李雷,420102,,",
        "11010519491231002X,重复,420102,,",
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(importing.ImportFailed) as err:
        importing.import_file(kind="persons", path=path)
    assert err.value.errors == [
        "第3行：id_number：第18位校验码应为X，实际为1",
        "第4行：id_number：与第2行重复",
    ]
    assert not Person.objects.exists()


def test_entities_from_json_with_an_explicit_checksum_override(tmp_path, regions):
    path = tmp_path / "e.json"
    rows = [
        {
            "credit_code": "91350100M000100Y43",
            "name": "福州示例有限公司",
            "entity_type": "有限责任公司",
        },
        {
            "credit_code": "91350100M000100Y44",
            "name": "试点期企业",
            "entity_type": "llc",
            "checksum_override": "是",
        },
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    assert importing.import_file(kind="entities", path=path) == 2
    assert Entity.objects.get(credit_code="91350100M000100Y44").checksum_override
    rows[1]["checksum_override"] = ""
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(importing.ImportFailed) as err:
        importing.import_file(kind="entities", path=path)
    assert err.value.errors[0].startswith("第2条：credit_code：第18位校验码应为3，实际为4")


def test_cli_import_reports_errors(tmp_path, regions):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "1101051949123100,王芳,999999,,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("registry", "import", "persons", str(path), stderr=err)
    assert "第2行：id_number：公民身份号码应为18位，实际为16位" in err.getvalue()


def test_generate_writes_csv_and_parquet_that_import_back(tmp_path, regions):
    counts = synthfiles.generate(persons=120, entities=30, out_dir=tmp_path, seed=7, chunk=50)
    assert counts == {"persons": 120, "entities": 30}
    assert len(list((tmp_path / "persons").glob("*.parquet"))) == 3
    assert pl.read_parquet(tmp_path / "persons" / "*.parquet").height == 120
    assert importing.import_file(kind="persons", path=tmp_path / "persons.csv") == 120
    assert importing.import_file(kind="entities", path=tmp_path / "entities.csv") == 30
    assert Entity.objects.filter(legal_rep__isnull=False).count() == 30


def test_generation_is_deterministic(tmp_path, regions):
    synthfiles.generate(persons=20, entities=5, out_dir=tmp_path / "a", seed=3)
    synthfiles.generate(persons=20, entities=5, out_dir=tmp_path / "b", seed=3)
    assert (tmp_path / "a" / "persons.csv").read_text() == (
        tmp_path / "b" / "persons.csv"
    ).read_text()


def test_demo_load_links_the_demo_users(mini_catalog, monkeypatch):
    monkeypatch.setattr(demo, "PERSONS", 300)
    monkeypatch.setattr(demo, "ENTITIES", 60)
    accounts_demo.users_load(stdout=io.StringIO())
    started = time.monotonic()
    demo.load(seed=1, stdout=io.StringIO())
    assert time.monotonic() - started < 15
    citizen = selectors.person_for_user(User.objects.get(username="demo_citizen"))
    enterprise = selectors.entity_for_user(User.objects.get(username="demo_enterprise"))
    assert citizen.name == "张晓明" and citizen.spouse.name == "李慧"
    assert enterprise.legal_rep == citizen
    assert selectors.licenses_of(entity=enterprise).filter(license_type="business_license").exists()
    assert Person.objects.count() == 302 and Entity.objects.count() == 61
    assert License.objects.filter(signature="").count() > 100  # bulk rows wait for the worker
    assert all(lic.is_sealed for lic in selectors.licenses_of(person=citizen))
    assert services.seal_pending(limit=5) == 5
