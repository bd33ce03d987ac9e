from onething.rules import services

LABELS = {"employees": "从业人数", "region": "注册区划", "hightech": "高新技术企业"}
RULE = {
    "and": [
        {">=": [{"var": "employees"}, 10]},
        {"in": [{"var": "region"}, [420100, 420200]]},
        {"==": [{"var": "hightech"}, True]},
    ]
}


def test_valid_rule_has_no_errors():
    assert services.validate(RULE, variables={"employees", "region", "hightech"}) == []


def test_unknown_operator_is_refused_with_its_path():
    errors = services.validate({"and": [{">": [{"var": "a"}, 1]}, {"between": [1, 2]}]})
    assert errors == [services.RuleError("/and/1/between", "未知运算符：between")]


def test_unknown_attribute_is_refused_with_its_path():
    errors = services.validate(RULE, variables={"employees", "region"})
    assert [(e.path, e.message) for e in errors] == [("/and/2/==/0/var", "未知字段：hightech")]


def test_malformed_nodes():
    paths = {e.path: e.message for e in services.validate({"or": [{"a": 1, "b": 2}, {">": [1]}]})}
    assert paths == {
        "/or/0": "规则对象必须恰好包含一个运算符",
        "/or/1/>": "运算符 > 需要 2 个参数，实际 1 个",
    }


def test_iteration_scope_does_not_name_fields():
    rule = {"some": [{"var": "items"}, {">": [{"var": "qty"}, 1]}]}
    assert services.validate(rule, variables={"items"}) == []
    assert services.variables_of(rule) == {"items"}


def test_missing_names_fields():
    assert services.validate({"missing": ["a", "b"]}, variables={"a"})[0].message == "未知字段：b"


def test_explain_renders_each_condition_in_chinese():
    record = {"employees": 6, "region": 420100, "hightech": True}
    explanation = services.explain(RULE, record, labels=LABELS)
    assert explanation.lines == [
        "从业人数 ≥ 10：不满足（实际 6）",
        "注册区划 属于 [420100, 420200]：满足（实际 420100）",
        "高新技术企业 = 是：满足（实际 是）",
    ]
    assert not explanation.passed
    assert explanation.failed_count == 1 and explanation.near_miss


def test_explain_nested_groups_and_nulls():
    rule = {"and": [{"or": [{"<": [{"var": "employees"}, 3]}, {"var": "hightech"}]}, {"var": "x"}]}
    explanation = services.explain(rule, {"employees": None}, labels=LABELS)
    assert explanation.lines == [
        "以下条件至少满足一项：满足",
        "  从业人数 < 3：满足（实际 空）",
        "  高新技术企业：不满足（实际 空）",
        "x：不满足（实际 空）",
    ]
    assert explanation.failed_count == 1


def test_explain_passes_when_all_hold():
    record = {"employees": 60, "region": 420200, "hightech": True}
    explanation = services.explain(RULE, record, labels=LABELS)
    assert explanation.passed and explanation.failed_count == 0 and not explanation.near_miss
