"""Background work: warn and escalate late 12345 steps (idempotent: one alert per round)."""

from onething.common import jobs

from . import services


@jobs.periodic("feedback.sla_watch", every_seconds=60)
def sla_watch(payload: dict) -> dict:
    return {"alerts": services.sla_watch()}
