"""Issue 16, findings 5, 7, 9 and 10: input the server took (or choked on) is refused cleanly.

5  non-finite numbers (NaN, Infinity, 1e400) and a null rule condition were 500s or poisoned
   GET /api/supervision/rules with a bare Infinity; a page for a case that is not yours was a 500;
7  an Idempotency-Key over 200 characters was cut, so two keys with a common prefix were one;
9  a plain string or a 200,000-element array was stored as a rule, in every place storing rules;
10 a family emoji (with U+200D) was refused as a control character.
"""

import json
import typing
from decimal import Decimal

import pytest

from onething.accounts import services as accounts
from onething.supervision.models import WarningRule

pytestmark = pytest.mark.django_db

RULE = {
    "name": "测试规则",
    "target": "task",
    "level": "yellow",
    "condition": {">": [{"var": "task.overdue_days"}, {"var": "rule.threshold"}]},
}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.token_create(user=user)}"}


def put_rule(client, user, code: str, body) -> object:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.put(
        f"/api/supervision/rules/{code}", data, content_type="application/json", **bearer(user)
    )


# ---- 5: server errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"threshold": NaN',
        '{"threshold": Infinity',
        '{"threshold": -Infinity',
        '{"threshold": 1e400',
    ],
)
def test_a_raw_non_finite_number_is_refused_not_a_500(client, sam, raw):
    body = json.dumps(RULE)[:-1] + ", " + raw[1:] + "}"
    response = put_rule(client, sam, "finite", body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] == "invalid" and "非有限数字" in payload["message"]
    assert payload["fields"] == {"body": "应为有限数字（不接受 NaN、Infinity）"}
    assert not WarningRule.objects.filter(code="finite").exists()


@pytest.mark.parametrize("word", ["Infinity", "-Infinity", "NaN", "inf"])
def test_a_non_finite_number_as_a_string_is_refused_and_the_list_stays_json(client, sam, word):
    response = put_rule(client, sam, "finite", {**RULE, "threshold": word})
    assert response.status_code == 422
    assert response.json()["fields"] == {"threshold": "应为有限数字（不接受 NaN、Infinity）"}
    listing = client.get("/api/supervision/rules", **bearer(sam))
    json.loads(listing.content, parse_constant=lambda c: pytest.fail(f"bare {c} in the JSON"))


def test_a_null_condition_is_refused_not_a_500(client, sam):
    response = put_rule(client, sam, "x", {**RULE, "condition": None})
    assert response.status_code == 422
    assert "JsonLogic 对象" in response.json()["fields"]["condition"]


def test_every_input_schema_number_is_the_shared_finite_type():
    """One shared type: a float or Decimal field of a request schema that is not FiniteFloat /
    FiniteDecimal would take "Infinity" again."""
    from ninja import Schema

    from onething.api import api  # noqa: F401  (imports every app's schemas)

    def schemas(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from schemas(sub)

    loose = []
    for cls in set(schemas(Schema)):
        if not cls.__module__.startswith("onething.") or not cls.__name__.endswith("In"):
            continue
        for name, field in cls.model_fields.items():
            kinds = {field.annotation, *typing.get_args(field.annotation)}
            numeric = kinds & {float, Decimal}
            finite = any(getattr(m, "allow_inf_nan", None) is False for m in field.metadata)
            if numeric and not finite:
                loose.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not loose, f"use onething.common.inputs.FiniteFloat / FiniteDecimal: {loose}"


def test_the_rating_page_of_a_case_not_yours_or_missing_is_a_404_page(client, alice, bob_case):
    client.force_login(alice)
    for number in ("420102-20990101-000001", bob_case.number):
        response = client.get(f"/feedback/rate/{number}/")
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()


@pytest.fixture
def bob_case(mini_catalog):
    from django.utils import timezone

    from onething.supervision.tests import factory
    from onething.testing import _persona

    bob = _persona("bob", "applicant_person", display_name="包博")
    return factory.make_case(submitted_by=bob, accepted=timezone.localdate())


# ---- 7: idempotency keys ----------------------------------------------------------------------


def test_an_idempotency_key_over_the_limit_is_refused_not_cut(client, alice):
    from onething.cases.models import IdempotencyKey

    prefix = "k" * 200
    for key in (prefix + "-first", prefix + "-second"):
        response = client.post(
            "/api/cases",
            json.dumps({"onething": "mini-restaurant"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **bearer(alice),
        )
        assert response.status_code == 400, response.content
        body = response.json()
        assert "Idempotency-Key" in body["message"] and "过长" in body["message"]
        assert body["fields"] == {"Idempotency-Key": "最多 200 个字符"}
    assert not IdempotencyKey.objects.exists()
    # At the limit the key is taken as it is (the body is then checked on its own).
    response = client.post(
        "/api/cases",
        json.dumps({"onething": "mini-restaurant"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=prefix,
        **bearer(alice),
    )
    assert "Idempotency-Key" not in response.json().get("fields", {})


# ---- 9: rule input ----------------------------------------------------------------------------

NOT_RULES = [
    ("1; DROP TABLE warning_rule; --", "不能是文本"),
    ([0] * 200_000, "不能是数组"),
    (42, "不能是数字"),
    (True, "不能是布尔值"),
    ({"in": [{"var": "task.status"}, ["x"] * 200_000]}, "规则过大"),
    ({"drop_table": [1]}, "未知运算符"),
]


def _nested(depth: int):
    rule = {">": [{"var": "task.overdue_days"}, 1]}
    for _ in range(depth):
        rule = {"!": [rule]}
    return rule


@pytest.mark.parametrize(("condition", "says"), [*NOT_RULES, (_nested(200), "嵌套过深")])
def test_a_warning_rule_condition_must_be_a_jsonlogic_object(client, sam, condition, says):
    response = put_rule(client, sam, "bad", {**RULE, "condition": condition})
    assert response.status_code == 422, response.content
    assert says in response.json()["fields"]["condition"]
    assert not WarningRule.objects.filter(code="bad").exists()


@pytest.mark.parametrize(("condition", "says"), NOT_RULES)
def test_every_place_that_stores_a_rule_checks_it_the_same_way(condition, says):
    """Policies (service, admin, live check), catalog situations (importer, admin),
    12345 routing (admin) and warning rules (service, admin) all call rules.check_stored."""
    from onething.catalog.admin import OneThingForm, OneThingItemForm
    from onething.feedback.admin import RoutingRuleForm
    from onething.policies.rules import check
    from onething.supervision.admin import WarningRuleForm
    from onething.supervision.services import rule_problems

    assert says in rule_problems("task", condition)["condition"]
    policy = {
        "code": "P",
        "title": "t",
        "subject": "person",
        "category": "elderly",
        "department": "d",
        "source": "s",
        "eligibility": condition,
    }
    assert says in check(policy)["eligibility"]
    assert says in check({**policy, "eligibility": {"var": "age"}, "benefit": condition})["benefit"]
    forms = [
        (RoutingRuleForm, {"rule": json.dumps(condition)}, "rule"),
        (OneThingItemForm, {"when": json.dumps(condition)}, "when"),
        (OneThingForm, {"material_rules": json.dumps([{"material": "m", "when": condition}])},
         "material_rules"),
        (WarningRuleForm, {"target": "task", "condition": json.dumps(condition)}, "condition"),
    ]  # fmt: skip
    for form_class, data, field in forms:
        form = form_class(data=data)
        assert not form.is_valid()
        assert says in " ".join(form.errors[field]), (form_class.__name__, form.errors)


def test_the_catalog_importer_refuses_a_string_situation():
    from onething.catalog import loader

    checker = loader._Checker(loader.CatalogFiles(), None)
    loader._check_rule(checker, "x.yaml", "/items/0/when", "1; DROP TABLE", set())
    assert [p.message for p in checker.problems] == [
        '规则无效：规则应为 JsonLogic 对象（如 {">": [...]}），不能是文本'
    ]


def test_an_over_long_name_says_too_long(client, sam):
    response = put_rule(client, sam, "long", {**RULE, "name": "名" * 129})
    assert response.status_code == 422
    assert response.json()["fields"]["name"].startswith("过长")


def test_a_rule_that_is_a_jsonlogic_object_is_still_stored(client, sam):
    response = put_rule(client, sam, "fine", {**RULE, "threshold": 2.5})
    assert response.status_code == 200, response.content
    assert WarningRule.objects.get(code="fine").threshold == 2.5


# ---- 10: emoji --------------------------------------------------------------------------------

EMOJI = [
    "家里👨‍👩‍👧‍👦四口人",
    "❤️谢谢",
    "👍🏽",
    "🏳️‍🌈",
    "👩🏽‍💻",
    "🇨🇳",
    "1️⃣号窗口",
    "🏴\U000e0067\U000e0062\U000e007f",
]
CONTROLS = ["a\u0007b", "\u202e反向", "隐\u200b藏", "a\u200db", "\u2066x\u2069", "\x85", "\u200d👍"]


TICKET = {
    "contact_name": "李先生",
    "contact_phone": "13900000000",
    "region": "420102",
    "location": "江岸区解放大道1号",
    "category": "生态环境",
    "subcategory": "噪声污染",
    "urgency": "normal",
}


def ticket(client, user, content: str):
    return client.post(
        "/api/tickets",
        json.dumps({**TICKET, "content": "楼下餐馆夜间噪音扰民。" + content}),
        content_type="application/json",
        **bearer(user),
    )


@pytest.mark.parametrize("text", EMOJI)
def test_emoji_sequences_are_accepted(client, olga, text):
    response = ticket(client, olga, text)
    assert response.status_code == 201, response.content
    assert text in response.json()["content"]


@pytest.mark.parametrize("text", CONTROLS)
def test_real_control_characters_are_still_refused(client, olga, text):
    response = ticket(client, olga, text)
    assert response.status_code == 422 and response.json()["fields"] == {"content": "含控制字符"}


def test_the_shared_check_is_what_the_feedback_texts_use():
    from onething.common.inputs import has_control

    assert not any(has_control(t) for t in EMOJI)
    assert all(has_control(t) for t in CONTROLS)


def test_a_non_finite_threshold_stored_before_is_disabled_by_the_migration(client, sam):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("onething.supervision.migrations.0003_warning_rule_region")
    WarningRule.objects.filter(code="task-red").update(threshold=float("inf"))
    migration.disable_non_finite(apps, None)
    rule = WarningRule.objects.get(code="task-red")
    assert (rule.threshold, rule.enabled) == (0, False) and "不是有限数字" in rule.description
    listing = client.get("/api/supervision/rules", **bearer(sam))
    json.loads(listing.content, parse_constant=lambda c: pytest.fail(f"bare {c} in the JSON"))


def test_a_transcript_keeps_its_emoji_and_loses_its_control_characters():
    from onething.common.inputs import has_control, strip_control

    family = "👨\u200d👩\u200d👧"
    assert strip_control(f"办\x00事{family}a\u200db\u202e") == f"办事{family}ab"
    assert not has_control(strip_control("x\u200d\x07y\u2028"))
