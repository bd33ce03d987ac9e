"""The latest version is read on every submission, so it is cached per process: never stale."""

from onething.catalog import selectors, services
from onething.catalog.constants import STATUS_ORDER
from onething.catalog.models import OneThing

CODE = "mini-restaurant"


def test_a_newly_published_version_is_the_latest_at_once(mini_catalog):
    before = selectors.version_latest(CODE)
    onething = OneThing.objects.get(code=CODE)
    onething.description = "新的简介"
    onething.save()
    services.onething_publish(onething=onething)
    after = selectors.version_latest(CODE)
    assert after.number == before.number + 1
    assert after.snapshot["description"] == "新的简介"


def test_advancing_a_one_thing_is_seen_by_the_next_read_at_once(mini_catalog):
    selectors.version_latest(CODE)
    onething = OneThing.objects.get(code=CODE)
    nxt = STATUS_ORDER[STATUS_ORDER.index(onething.status) + 1]
    services.onething_advance(onething=onething, to=nxt)
    after = selectors.version_latest(CODE)
    assert after.onething.status == nxt
    assert selectors.blueprint(after)["onething"]["status"] == nxt


def test_editing_the_one_thing_row_without_publishing_is_seen_too(mini_catalog):
    selectors.version_latest(CODE)
    onething = OneThing.objects.get(code=CODE)
    onething.name = "开办小餐馆（改名）"
    onething.save()
    assert selectors.version_latest(CODE).onething.name == "开办小餐馆（改名）"


def test_each_caller_gets_its_own_copy(mini_catalog):
    first = selectors.version_latest(CODE)
    number = first.number
    first.number = 999
    assert selectors.version_latest(CODE).number == number


def test_a_cached_read_costs_one_small_query(mini_catalog, django_assert_num_queries):
    selectors.version_latest(CODE)
    with django_assert_num_queries(1):
        assert selectors.version_latest(CODE).snapshot["code"] == CODE


def test_an_unknown_code_has_no_latest_version(mini_catalog):
    assert selectors.version_latest("no-such-thing") is None
