from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings/<int:warning_id>/<str:action>", views.warning_act, name="warning_act"),
    path("rules/", views.rules, name="rules"),
]
