"""Background jobs: daily expiry reminders, sealing of bulk-loaded licences, salting old seals."""

from onething.common import jobs

from . import services


@jobs.periodic("registry.expiry_reminders", every_seconds=86400)
def expiry_reminders(payload: dict) -> dict:
    return services.expiry_reminders()


@jobs.handler("registry.seal_pending")
def seal_pending(payload: dict) -> int:
    done = services.seal_pending()
    services.seal_jobs_enqueue()  # more left: queue the next batch rather than hold the lease
    return done


@jobs.periodic("registry.seal_sweep", every_seconds=3600)
def seal_sweep(payload: dict) -> int:
    """Safety net: a batch chain broken by a crash is picked up within the hour."""
    return services.seal_pending()


@jobs.periodic("registry.reseal_sweep", every_seconds=3600)
def reseal_sweep(payload: dict) -> dict:
    """Old plain-digest seals get salted a batch an hour; `onething licenses reseal` does it in bulk."""
    return services.reseal_plain()
