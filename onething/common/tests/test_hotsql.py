"""The hand-written statements of the submission path give what the ORM would give."""

import pytest
from django.db import IntegrityError, connections, transaction
from django.db.transaction import TransactionManagementError

from onething.accounts import services as accounts
from onething.accounts.models import ApiToken, Region
from onething.cases import services as cases
from onething.cases.models import IdempotencyKey, Upload
from onething.catalog.models import OneThingVersion
from onething.common import audit, hotsql
from onething.common.models import AuditRecord, Event, Message
from onething.registry.models import Person
from onething.registry.tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _same(a, b):
    assert type(a) is type(b)
    assert [getattr(a, f.attname) for f in a._meta.concrete_fields] == [
        getattr(b, f.attname) for f in b._meta.concrete_fields
    ]


def test_a_person_read_by_hash_equals_the_orm_read_decrypted_dates_and_all(regions):
    person = factories.person(phone="13912345678", residence_region_id="420103")
    (hot,) = hotsql.select(Person, {"id_number_hash": person.id_number_hash}, limit=1)
    _same(hot, Person.objects.get(pk=person.pk))
    assert hot.id_number == person.id_number and hot.phone == "13912345678"
    assert hot.birth_date == person.birth_date
    assert hot._state.adding is False and hot._state.db == "default"


def test_a_token_read_brings_its_user_and_region_without_more_queries(
    alice, django_assert_num_queries
):
    key = accounts.token_create(user=alice)
    with django_assert_num_queries(1):
        (token,) = hotsql.select(
            ApiToken, {"key_hash": ApiToken.digest(key)}, related=("user", "user__region"), limit=1
        )
        assert token.user == alice and token.user.region.code == "420102"
    _same(token, ApiToken.objects.get(pk=token.pk))
    _same(token.user.region, Region.objects.get(code="420102"))


def test_a_missing_related_row_is_none_not_an_empty_object(alice, django_assert_num_queries):
    alice.region = None
    alice.save()
    key = accounts.token_create(user=alice)
    with django_assert_num_queries(1):
        (token,) = hotsql.select(
            ApiToken, {"key_hash": ApiToken.digest(key)}, related=("user", "user__region")
        )
        assert token.user.region is None


def test_uploads_are_found_by_uuid_list_and_owner_only(alice, carol):
    mine = cases.upload_create(owner=alice, name="a.pdf", chunks=[PDF])
    theirs = cases.upload_create(owner=carol, name="b.pdf", chunks=[PDF])
    found = hotsql.select(Upload, {"pk__in": [str(mine.pk), str(theirs.pk)], "owner": alice})
    assert [u.pk for u in found] == [mine.pk]
    _same(found[0], Upload.objects.get(pk=mine.pk))
    assert hotsql.select(Upload, {"pk__in": [], "owner": alice}) == []


def test_nothing_found_is_an_empty_list(regions):
    assert hotsql.select(Person, {"id_number_hash": "0" * 64}, limit=1) == []


def test_a_plan_is_built_once_per_connection_and_shape(regions):
    person = factories.person()
    plans = connections["default"].__dict__.setdefault("_hotsql_plans", {})
    before = len(plans)
    for _ in range(3):  # a shape no other test reads
        hotsql.select(Person, {"id_number_hash": person.id_number_hash, "name": "刘爱丽"}, limit=2)
    assert len(plans) == before + 1
    hotsql.select(Person, {"pk__in": [person.pk, person.pk + 1, person.pk + 2]})
    assert len(plans) == before + 2


def test_create_writes_the_row_sets_its_key_and_leaves_the_audit_to_the_service(alice):
    before = AuditRecord.objects.count()
    key = hotsql.create(IdempotencyKey(user=alice, key="k-1", request_hash="h", status="running"))
    assert key.pk and key._state.adding is False and key.created_at is not None
    _same(key, IdempotencyKey.objects.get(pk=key.pk))
    assert AuditRecord.objects.count() == before  # no signal: the calling service audits


def test_a_message_created_by_hand_written_sql_reads_back_the_same(alice):
    message = hotsql.create(Message(user=alice, title="已提交", dedup_key="m-1"))
    _same(message, Message.objects.get(pk=message.pk))
    assert message.body == ""


def test_a_model_with_its_own_save_is_refused(db):
    # A published version's save() refuses to change it; a statement by hand would skip that.
    before = OneThingVersion.objects.count()
    with pytest.raises(TypeError, match="own save"):
        hotsql.select(OneThingVersion, {"pk": 1})
    with pytest.raises(TypeError, match="own save"):
        hotsql.bulk_insert([OneThingVersion()])
    with pytest.raises(TypeError, match="own save"):
        hotsql.update(OneThingVersion, {"pk": 1}, {"digest": "x"})
    assert OneThingVersion.objects.count() == before


@pytest.mark.parametrize("model", [Event, AuditRecord])
def test_append_only_rows_may_be_inserted_but_never_updated(alice, model):
    row = Event(actor=alice, verb="case.submitted", object_type="cases.case", object_id="1")
    if model is AuditRecord:
        row = audit.write_row(action="case.submitted", objects=[alice], actor=alice)
    hotsql.create(row)
    assert model.objects.filter(pk=row.pk).exists()
    with pytest.raises(TypeError, match="own save"):
        hotsql.update(model, {"pk": row.pk}, {"object_id": "2"})
    with pytest.raises(ValueError, match="new rows only"):
        hotsql.bulk_insert([row])
    assert model.objects.get(pk=row.pk).object_id == row.object_id


def test_a_duplicate_key_still_raises_integrity_error(alice):
    hotsql.create(IdempotencyKey(user=alice, key="dup", request_hash="h", status="running"))
    with pytest.raises(IntegrityError):
        hotsql.create(IdempotencyKey(user=alice, key="dup", request_hash="h", status="running"))


def test_bulk_insert_sets_every_key_and_can_skip_conflicts(alice):
    rows = [Message(user=alice, title=f"第{n}条", dedup_key=f"d{n}") for n in range(3)]
    hotsql.bulk_insert(rows)
    assert [m.pk for m in rows] == list(
        Message.objects.filter(dedup_key__in=["d0", "d1", "d2"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    again = [Message(user=alice, title="重复", dedup_key="d0"), Message(user=alice, dedup_key="d9")]
    hotsql.bulk_insert(again, ignore_conflicts=True)
    assert Message.objects.get(dedup_key="d0").title == "第0条"
    assert Message.objects.filter(dedup_key="d9").exists()


def test_an_existing_row_cannot_be_inserted_again(alice):
    message = hotsql.create(Message(user=alice, title="一次", dedup_key="once"))
    with pytest.raises(ValueError):
        hotsql.create(message)


def test_update_sets_values_by_exact_match_and_counts_rows(alice, carol):
    mine = hotsql.create(IdempotencyKey(user=alice, key="k", request_hash="h", status="running"))
    hotsql.create(IdempotencyKey(user=carol, key="k", request_hash="h", status="running"))
    changed = hotsql.update(
        IdempotencyKey,
        {"user": alice, "key": "k"},
        {"status": "done", "response_status": 201, "response": {"number": "420102-1"}},
    )
    assert changed == 1
    mine.refresh_from_db()
    assert (mine.status, mine.response_status, mine.response) == (
        "done",
        201,
        {"number": "420102-1"},
    )
    assert IdempotencyKey.objects.get(user=carol).status == "running"


def test_a_statement_in_a_broken_transaction_is_refused_as_by_the_orm(alice):
    hotsql.create(IdempotencyKey(user=alice, key="k", request_hash="h", status="running"))
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            hotsql.create(IdempotencyKey(user=alice, key="k", request_hash="h", status="running"))
        with pytest.raises(TransactionManagementError):
            hotsql.select(Message, {"dedup_key": "k"})


@pytest.mark.django_db(transaction=True)
def test_after_a_reconnect_statements_run_on_the_new_connection(django_user_model):
    user = django_user_model.objects.create_user("reconnect")
    first = hotsql.create(Message(user=user, title="一", dedup_key="x.one"))
    connections["default"].close()
    second = hotsql.create(Message(user=user, title="二", dedup_key="x.two"))
    found = hotsql.select(Message, {"pk__in": [first.pk, second.pk]})
    assert sorted(m.dedup_key for m in found) == ["x.one", "x.two"]


def test_statements_are_logged_and_counted_while_queries_are_captured(
    regions, django_assert_num_queries
):
    person = factories.person()
    with django_assert_num_queries(2) as captured:
        hotsql.select(Person, {"id_number_hash": person.id_number_hash}, limit=1)
        hotsql.update(Person, {"pk": person.pk}, {"ethnicity": "回族"})
    assert "registry_person" in captured.captured_queries[0]["sql"]
    assert Person.objects.get(pk=person.pk).ethnicity == "回族"
