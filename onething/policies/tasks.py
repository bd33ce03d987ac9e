"""Worker jobs of the policy library: runs, daily re-matching, scheduled no-application grants."""

from onething.common import jobs

from . import services
from .models import Policy

DAY = 24 * 3600


@jobs.handler("policies.run")
def run(payload: dict):
    return services.run_execute(run_id=payload["run"])


@jobs.periodic("policies.refresh_matches", DAY)
def refresh_matches(payload: dict):
    # Daily, because ages and years since founding move even when no registry row changes.
    done = 0
    for policy in Policy.objects.filter(active=True, current__isnull=False):
        services.refresh_matches(policy=policy)
        done += 1
    return {"policies": done}


@jobs.periodic("policies.scheduled_grants", DAY)
def scheduled_grants(payload: dict):
    return {"started": services.scheduled_grants()}
