import importlib

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from onething import pages
from onething.api import api
from onething.common import views as common_views

admin.site.site_header = "onething 一件事管理后台"
admin.site.site_title = "onething 管理后台"
admin.site.index_title = "目录与数据管理"

# The site's own Chinese error pages, JSON under /api/ (onething.common.views).
handler400 = "onething.common.views.bad_request"
handler403 = "onething.common.views.permission_denied"
handler404 = "onething.common.views.page_not_found"
handler500 = "onething.common.views.server_error"

urlpatterns = [
    path("", pages.home, name="home"),
    path("prefs/large-font", common_views.toggle_large_font, name="large_font"),
    path("healthz", common_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links: send them to the one we have.
    path("favicon.ico", RedirectView.as_view(url=static("onething/favicon.svg"), permanent=True)),
    path("system/", pages.system_status, name="system_status"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("onething.accounts.urls")),
]

# Each app with page views mounts them under its own prefix.
PAGE_APPS = {
    "catalog": "onethings/",
    "registry": "registry/",
    "cases": "cases/",
    "policies": "policies/",
    "assistant": "assistant/",
    "feedback": "feedback/",
    "supervision": "supervision/",
}
for app, prefix in PAGE_APPS.items():
    try:
        importlib.import_module(f"onething.{app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"onething.{app}.urls":
            raise
        continue
    urlpatterns.append(path(prefix, include(f"onething.{app}.urls")))
