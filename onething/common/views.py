from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


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
