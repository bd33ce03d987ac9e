from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import health


def home(request):
    from onething.catalog import selectors as catalog

    rows = catalog.summaries(region=getattr(request.user, "region", None))
    return render(
        request,
        "home.html",
        {"rows": rows[:8], "total": len(rows), "averages": catalog.catalog_averages(rows)},
    )


@require_POST
def toggle_large_font(request):
    response = redirect(request.POST.get("next") or "/")
    on = request.COOKIES.get("large_font") != "1"
    response.set_cookie("large_font", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_GET
@never_cache
def healthz(request):
    """Anonymous: counts and ages only. 503 when the database does not answer."""
    state = health.snapshot()
    return JsonResponse(
        state,
        status=503 if state["status"] == "down" else 200,
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@never_cache
def system_status(request):
    from onething.accounts.constants import Role

    if request.user.role != Role.SYSADMIN:
        return render(request, "common/denied.html", {"what": "系统运行状态"}, status=403)
    return render(request, "common/system.html", {"h": health.details()})
