from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/code", views.holder_code, name="holder_code"),
    path("usage/", views.usage, name="usage"),
    path("lookup/", views.lookup, name="lookup"),
    path("licenses/<str:identifier>/", views.license_detail, name="license"),
    path("licenses/<str:identifier>/download.json", views.download_json, name="download_json"),
    path("licenses/<str:identifier>/download.pdf", views.download_pdf, name="download_pdf"),
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:identifier>", views.verify, name="verify"),
]
