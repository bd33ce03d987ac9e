"""Pages of the whole site that read several apps: the home page and the system status.

They sit above every app (like urls.py and api.py), so they may read any app's selectors;
``common`` is the bottom layer and may not (see docs/architecture.md).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from onething.accounts.constants import Role
from onething.catalog import selectors as catalog
from onething.common import health


def home(request):
    rows = catalog.summaries(region=getattr(request.user, "region", None))
    return render(
        request,
        "home.html",
        {"rows": rows[:8], "total": len(rows), "averages": catalog.catalog_averages(rows)},
    )


@login_required
@never_cache
def system_status(request):
    if request.user.role != Role.SYSADMIN:
        return render(request, "common/denied.html", {"what": "系统运行状态"}, status=403)
    return render(request, "common/system.html", {"h": health.details()})
