from django.conf import settings

from .selectors import navigation_for


def shell(request):
    """Navigation and display preferences for the base template."""
    return {
        "nav_items": navigation_for(request.user),
        "large_font": request.COOKIES.get("large_font") == "1",
        "demo_mode": settings.DEMO_MODE,
    }
