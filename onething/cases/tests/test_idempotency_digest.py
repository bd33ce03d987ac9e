"""The stored request digest is keyed: the body carries the applicant's name and ID number."""

import hashlib
import json

import pytest

from onething.cases import services
from onething.cases.models import IdempotencyKey
from onething.common.errors import Unprocessable

from .conftest import body


def _plain_sha256(data: dict) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def test_the_stored_digest_is_not_a_plain_hash_of_the_body(alice, upload):
    data = body({"application_form": upload(alice)})
    services.case_submit(user=alice, data=data, idempotency_key="k")
    stored = IdempotencyKey.objects.get(key="k").request_hash
    assert stored == services.request_hash(data)
    assert stored != _plain_sha256(data) and len(stored) == 64


def test_a_key_claimed_before_the_change_still_replays_its_case(alice, upload):
    data = body({"application_form": upload(alice)})
    case, _ = services.case_submit(user=alice, data=data, idempotency_key="old")
    IdempotencyKey.objects.filter(key="old").update(request_hash=_plain_sha256(data))
    again, created = services.case_submit(user=alice, data=data, idempotency_key="old")
    assert (again.number, created) == (case.number, False)


def test_a_key_claimed_before_the_change_still_refuses_another_body(alice, upload):
    data = body({"application_form": upload(alice)})
    services.case_submit(user=alice, data=data, idempotency_key="old")
    IdempotencyKey.objects.filter(key="old").update(request_hash=_plain_sha256(data))
    other = {**data, "form": {"business_name": "别的店", "area": 1}}
    with pytest.raises(Unprocessable):
        services.case_submit(user=alice, data=other, idempotency_key="old")
