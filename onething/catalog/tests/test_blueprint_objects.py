"""The typed blueprint the apps above the catalog read: the same facts as the compiled JSON."""

from decimal import Decimal

import pytest

from onething.catalog import compiler
from onething.catalog.blueprint import Blueprint


@pytest.fixture
def stored(mini_catalog):
    from onething.catalog import selectors

    snapshot = selectors.version_latest("mini-restaurant").snapshot
    return compiler.compile_blueprint(snapshot, {"big": "yes"})


def test_the_typed_blueprint_carries_what_the_compiled_json_says(stored):
    bp = Blueprint.of(stored)
    assert (bp.code, bp.name) == (stored["onething"]["code"], stored["onething"]["name"])
    assert [i.code for i in bp.items] == [i["code"] for i in stored["items"]]
    assert bp.promised_days == stored["process"]["promised_days"] == 11
    assert bp.before["time"] == 16 and bp.fee == Decimal(stored["fee"])
    licence = bp.material("business_license_copy")
    assert licence.disposition == "earlier_item" and licence.produced_by == "mini-registration"
    assert bp.item_name(licence.produced_by) == stored["items"][0]["name"]
    assert set(bp.fields_used_by("mini-food-license")) == {
        f["field"] for f in stored["form"]["layout"] if "mini-food-license" in f["used_by"]
    }
    assert [q.answer for q in bp.questions] == [q["answer"] for q in stored["questions"]]
    assert Blueprint.of(stored) is bp  # built once per stored dict
    assert bp.cross_region == stored["cross_region"] and bp.version == stored["onething"]["version"]
    food = bp.item("mini-food-license")
    assert food.stage == 1 and food.days == stored["items"][1]["committed_days"]
    assert bp.dependencies["mini-food-license"] == ("mini-registration",)


def test_a_blueprint_stored_by_an_older_version_reads_with_defaults():
    bp = Blueprint.of({"onething": {"code": "x", "name": "旧"}, "items": [{"code": "a"}]})
    assert bp.items[0].decided_by == "internal" and bp.materials == () and bp.promised_days == 0
    assert Blueprint.of(None).code == "" and bp.item("missing") is None
