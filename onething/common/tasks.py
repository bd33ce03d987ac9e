from . import jobs, notify


@jobs.periodic("common.send_outbox", every_seconds=10)
def send_outbox(payload: dict) -> int:
    return notify.send_outbox()
