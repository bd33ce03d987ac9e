"""Small helpers for htmx partials: full page on normal requests, fragment on htmx."""

from django.shortcuts import render


def render_page_or_partial(request, page: str, partial: str, context: dict):
    template = partial if getattr(request, "htmx", False) else page
    return render(request, template, context)
