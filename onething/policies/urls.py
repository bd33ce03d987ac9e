from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<int:batch_id>/review", views.batch_review, name="batch_review"),
    path("batches/<int:batch_id>/disbursement.<str:fmt>", views.disbursement, name="disbursement"),
    path("grants/<int:grant_id>/decline", views.grant_decline, name="grant_decline"),
    path("rules/check", views.rule_check, name="rule_check"),
    path("rules/test", views.rule_test, name="rule_test"),
    path("export.<str:fmt>", views.export, name="export"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/apply", views.apply, name="apply"),
    path("<str:code>/opt-out", views.opt_out, name="opt_out"),
    path("<str:code>/runs", views.run_start, name="run_start"),
]
