import copy
import json

import pytest
from django.conf import settings

from onething.common.errors import DomainError
from onething.policies import exchange, services
from onething.policies.models import Policy

pytestmark = pytest.mark.django_db
DOCS = json.loads((settings.DATA_DIR / "policies" / "policies.json").read_text(encoding="utf-8"))


def doc(code="HB-P-GLJT"):
    return copy.deepcopy(next(d for d in DOCS if d["code"] == code))


def test_demo_file_has_at_least_40_valid_policies(regions):
    assert len(DOCS) >= 40
    result = services.policies_import(items=DOCS)
    assert result["policies"] == len(DOCS)
    assert Policy.objects.filter(mode="auto").count() >= 3


def test_unknown_attribute_and_operator_are_refused_with_the_path(regions):
    bad = doc()
    bad["eligibility"] = {"and": [{">=": [{"var": "agee"}, 80]}, {"regex": ["a", "b"]}]}
    with pytest.raises(DomainError) as error:
        services.policies_import(items=[doc("HB-E-WGFH"), bad])
    message = error.value.fields["1.eligibility"]
    assert "/and/0/>=/0/var" in message and "agee" in message
    assert "/and/1/regex" in message and "未知运算符" in message
    assert not Policy.objects.exists()  # all or nothing


def test_an_entity_attribute_is_unknown_in_a_person_rule(regions):
    bad = doc()
    bad["eligibility"] = {"==": [{"var": "employees"}, 1]}
    with pytest.raises(DomainError, match="未知字段"):
        services.policy_save(data=bad)


def test_saving_changed_content_makes_a_new_immutable_version(regions):
    first = services.policy_save(data=doc())
    assert services.policy_save(data=doc()).pk == first.pk  # unchanged: no new version
    changed = doc()
    changed["benefit"] = {"if": [{">=": [{"var": "age"}, 90]}, 120, 60]}
    second = services.policy_save(data=changed)
    assert second.number == 2 and Policy.objects.get(code="HB-P-GLJT").current == second
    first.title = "改"
    with pytest.raises(ValueError):
        first.save()


def test_xlsx_export_imports_back_unchanged(regions):
    services.policies_import(items=DOCS[:5])
    data = exchange.export_xlsx(Policy.objects.all())
    items = exchange.read_xlsx(data)
    assert [i["code"] for i in items] == sorted(d["code"] for d in DOCS[:5])
    before = list(Policy.objects.values_list("current_id", flat=True))
    services.policies_import(items=items)
    assert list(Policy.objects.values_list("current_id", flat=True)) == before
