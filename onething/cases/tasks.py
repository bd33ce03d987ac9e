"""Background jobs of cases; thin wrappers over services."""

from onething.common import jobs

from . import services


@jobs.periodic("cases.deadline_warnings", every_seconds=300)
def deadline_warnings(payload: dict) -> int:
    return services.deadline_warnings()


@jobs.periodic("cases.commitments", every_seconds=3600)
def commitments(payload: dict) -> dict:
    return {"reminded": services.commitments_remind(), "breached": services.commitments_breach()}
