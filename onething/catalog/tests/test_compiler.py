"""The compiler over the mini catalog's snapshot: pure, no database."""

import pytest

from onething.catalog import compiler
from onething.catalog.compiler import CompileError


@pytest.fixture
def snapshot(mini_catalog):
    from onething.catalog import selectors

    return selectors.version_latest("mini-restaurant").snapshot


def test_default_answers_leave_out_the_fire_check(snapshot):
    bp = compiler.compile_blueprint(snapshot)
    assert [i["code"] for i in bp["items"]] == ["mini-registration", "mini-food-license"]
    assert bp["excluded_items"] == ["mini-fire-check"]


def test_a_big_restaurant_adds_the_fire_check_in_the_same_parallel_stage(snapshot):
    bp = compiler.compile_blueprint(snapshot, {"big": "yes"})
    assert bp["process"]["stages"] == [
        ["mini-registration"],
        ["mini-food-license", "mini-fire-check"],
    ]


def test_promised_time_is_the_critical_path_not_the_sum(snapshot):
    bp = compiler.compile_blueprint(snapshot, {"big": "yes"})
    # registration 1 + max(food 10, fire 5) = 11; the sum would be 16.
    assert bp["process"]["promised_days"] == 11
    assert bp["reductions"]["before"]["time"] == 16
    assert bp["process"]["critical_path"] == ["mini-registration", "mini-food-license"]


def test_business_licence_from_an_earlier_item_is_never_asked_for(snapshot):
    bp = compiler.compile_blueprint(snapshot)
    by_code = {m["code"]: m for m in bp["materials"]}
    assert by_code["business_license_copy"]["disposition"] == "earlier_item"
    assert by_code["business_license_copy"]["produced_by"] == "mini-registration"


def test_materials_are_deduplicated_and_exempt_by_e_license(snapshot):
    bp = compiler.compile_blueprint(snapshot)
    codes = [m["code"] for m in bp["materials"]]
    assert len(codes) == len(set(codes))
    by_code = {m["code"]: m for m in bp["materials"]}
    assert by_code["id_card"]["disposition"] == "license"
    assert by_code["id_card"]["used_by"] == ["mini-registration", "mini-food-license"]


def test_tolerance_applies_only_when_every_item_using_the_material_allows_it(snapshot):
    bp = compiler.compile_blueprint(snapshot)
    lease = next(m for m in bp["materials"] if m["code"] == "lease_contract")
    # registration needs the lease up front, so it cannot follow later under a commitment.
    assert lease["disposition"] == "upload"
    assert lease["commitment_allowed"] is False


def test_own_premises_drops_the_lease_contract(snapshot):
    bp = compiler.compile_blueprint(snapshot, {"own_premises": "yes"})
    assert "lease_contract" not in [m["code"] for m in bp["materials"]]


def test_form_fields_are_merged_by_data_element_with_their_users(snapshot):
    bp = compiler.compile_blueprint(snapshot, {"big": "yes"})
    layout = {f["field"]: f for f in bp["form"]["layout"]}
    assert list(layout) == ["business_name", "applicant_name", "applicant_id_number", "area"]
    assert layout["business_name"]["used_by"] == [
        "mini-registration",
        "mini-food-license",
        "mini-fire-check",
    ]
    assert (
        bp["form"]["schema"]["properties"]["applicant_id_number"]["pattern"] == compiler.ID_PATTERN
    )
    assert bp["form"]["schema"]["properties"]["area"]["type"] == "integer"


def test_reductions_are_computed_from_the_items(snapshot):
    red = compiler.compile_blueprint(snapshot, {"big": "yes"})["reductions"]
    assert red["before"] == {"time": 16, "materials": 10, "steps": 12, "visits": 3}
    # to upload: application_form, lease_contract, fire_plan; steps: 3 + stage reviews (1 + 1)
    assert red["after"] == {"time": 11, "materials": 3, "steps": 5, "visits": 1}
    assert red["percent"] == {"time": 31.2, "materials": 70.0, "steps": 58.3, "visits": 66.7}
    assert red["shortfalls"] == ["time"] and red["meets_target"] is False


def test_an_answer_that_is_not_an_option_names_the_question(snapshot):
    with pytest.raises(CompileError) as exc:
        compiler.compile_blueprint(snapshot, {"big": "maybe", "nonsense": 1})
    assert "经营场所面积是否超过300平方米" in exc.value.fields["big"]
    assert "nonsense" in exc.value.fields


def test_a_dependency_cycle_is_refused_with_its_path():
    needs = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert compiler.find_cycle(needs) == ["a", "b", "c", "a"]
    with pytest.raises(CompileError, match="循环"):
        compiler.stages_of(needs, ["a", "b", "c"])
