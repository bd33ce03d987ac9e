"""The reference department system on its own (no HTTP, no database): what a vendor's side does."""

from onething.integration import signing
from onething.integration.deptsim import PREFIX, Sim
from onething.integration.tests.conftest import SIGNING_KEY


def _dispatch(sim: Sim, kind: str, msg_id: str) -> int:
    event = signing.cloudevent(
        type_=PREFIX + kind,
        source="onething",
        subject="task-1",
        data={"reply_to": "http://127.0.0.1:9/callbacks", "form": {}, "materials": []},
    )
    body = signing.encode(event)
    status, _ = sim.receive(signing.headers(SIGNING_KEY, msg_id, body), body, schedule=False)
    return status


def test_a_task_cancelled_before_the_department_decides_is_not_decided():
    sim = Sim(secret="s", signing_key=SIGNING_KEY, source="sim-market")
    sim.control["mute"] = True
    assert _dispatch(sim, "dispatched", "m1") == 202
    assert _dispatch(sim, "cancelled", "m2") == 202  # arrives while the materials are fetched
    sim._work("task-1", "dispatched")
    assert sim.tasks["task-1"]["status"] == "cancelled" and sim.tasks["task-1"]["events"] == []


def test_a_task_not_cancelled_is_decided_as_configured():
    sim = Sim(secret="s", signing_key=SIGNING_KEY, source="sim-market")
    sim.control["mute"] = True
    assert _dispatch(sim, "dispatched", "m1") == 202
    sim._work("task-1", "dispatched")
    assert sim.tasks["task-1"]["status"] == "approved"
    assert [e["type"] for e in sim.tasks["task-1"]["events"]] == [
        PREFIX + "received",
        PREFIX + "approved",
    ]
