"""Standard Webhooks signatures: the specification's test vector, time window, rotation."""

import pytest

from onething.integration import signing

VECTOR = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "ts": 1614265330,
    "body": b'{"test": 2432232314}',
    "sig": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}


def _headers(sig=VECTOR["sig"], ts=VECTOR["ts"]):
    return {"webhook-id": VECTOR["id"], "webhook-timestamp": str(ts), "webhook-signature": sig}


def test_signature_matches_the_specifications_test_vector():
    assert (
        signing.signature(VECTOR["secret"], VECTOR["id"], VECTOR["ts"], VECTOR["body"])
        == VECTOR["sig"]
    )
    # The prefix may be left off, as in the specification's libraries.
    bare = VECTOR["secret"].removeprefix("whsec_")
    assert signing.signature(bare, VECTOR["id"], VECTOR["ts"], VECTOR["body"]) == VECTOR["sig"]


def test_verify_accepts_within_the_window_and_with_a_rotated_key_listed_first():
    got = signing.verify(
        [VECTOR["secret"]], _headers(), VECTOR["body"], tolerance=300, now=VECTOR["ts"] + 299
    )
    assert got == VECTOR["id"]
    other = signing.new_secret()
    both = (
        signing.signature(other, VECTOR["id"], VECTOR["ts"], VECTOR["body"]) + " " + VECTOR["sig"]
    )
    assert signing.verify(
        [VECTOR["secret"]], _headers(both), VECTOR["body"], tolerance=300, now=VECTOR["ts"]
    )


@pytest.mark.parametrize(
    ("headers", "body", "now", "field"),
    [
        (_headers(), b'{"test": 2432232315}', VECTOR["ts"], "webhook-signature"),  # altered body
        (_headers(), VECTOR["body"], VECTOR["ts"] + 301, "webhook-timestamp"),  # replayed late
        (_headers(), VECTOR["body"], VECTOR["ts"] - 301, "webhook-timestamp"),  # from the future
        (_headers(ts="soon"), VECTOR["body"], VECTOR["ts"], "webhook-timestamp"),
        ({"webhook-id": "x"}, VECTOR["body"], VECTOR["ts"], "webhook-signature"),
    ],
)
def test_verify_refuses_altered_late_early_malformed_and_unsigned(headers, body, now, field):
    with pytest.raises(signing.SignatureError) as err:
        signing.verify([VECTOR["secret"]], headers, body, tolerance=300, now=now)
    assert err.value.field == field and err.value.message


def test_cloudevent_is_structured_json_of_spec_version_1_0():
    event = signing.cloudevent(
        type_="cn.gov.onething.task.dispatched", source="/x", subject="s", data={"a": "中"}
    )
    assert {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
    } <= set(event)
    assert event["specversion"] == "1.0" and event["time"].endswith("Z")
    assert "中".encode() in signing.encode(event)
