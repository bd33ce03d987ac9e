"""Background jobs of the integration; thin wrappers over services."""

from onething.common import jobs

from . import services


@jobs.handler("integration.deliver", urgent=True)  # a department system waits for it
def deliver(payload: dict) -> str:
    return services.deliver(delivery_id=payload["delivery"])


@jobs.periodic("integration.sweep", every_seconds=15)
def sweep(payload: dict) -> dict:
    return services.deliver_due()


@jobs.periodic("integration.poll", every_seconds=120)
def poll(payload: dict) -> dict:
    return services.poll()


@jobs.periodic("integration.reconcile", every_seconds=86400)
def reconcile(payload: dict) -> dict:
    return services.reconcile()
