from . import jobs, notify


@jobs.periodic("common.send_outbox", every_seconds=10)
def send_outbox(payload: dict) -> int:
    return notify.send_outbox()


@jobs.periodic("common.prune_jobs", every_seconds=86400)
def prune_jobs(payload: dict) -> int:
    return jobs.prune()


@jobs.handler("common.test_slow_notify")
def slow_notify(payload: dict) -> None:
    """Used by the fault tests: notifies, then works slowly enough to be killed mid-job."""
    import time

    from django.contrib.auth import get_user_model

    notify.notify(
        user=get_user_model().objects.get(pk=payload["user"]), title="测试", dedup_key="slow-notify"
    )
    time.sleep(payload.get("sleep", 0))


@jobs.handler("common.test_urgent_echo", urgent=True)
def urgent_echo(payload: dict) -> dict:
    """Used by the fault tests: an urgent job that returns at once."""
    return {"echo": payload.get("n")}
