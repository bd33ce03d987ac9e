"""Background jobs of supervision; thin wrappers over services."""

from datetime import datetime

from onething.common import jobs

from . import services


@jobs.periodic("supervision.refresh", every_seconds=15)
def refresh(payload: dict) -> dict:
    """Catch-up: facts of cases changed since the last run, then the touched months' rollups."""
    return services.refresh()


@jobs.periodic("supervision.warnings", every_seconds=300)
def warnings(payload: dict) -> dict:
    return services.warnings_evaluate()


@jobs.handler("supervision.warnings_now")
def warnings_now(payload: dict) -> dict:
    """Evaluated at once for a lower layer that found something (integration's 对账)."""
    services.default_rules_ensure()
    at = payload.get("at")
    return services.warnings_evaluate(now=datetime.fromisoformat(at) if at else None)


@jobs.handler("supervision.case_fact")
def case_fact(payload: dict) -> int:
    """One case's fact, for callers that prefer to queue rather than refresh inline."""
    from onething.cases import selectors as cases

    case = cases.case_for_facts(payload.get("case_id"))
    if case is None:
        return 0
    services.case_fact_refresh(case=case)
    return 1
