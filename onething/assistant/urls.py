from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.index, name="index"),
    path("turn", views.turn, name="turn"),
    path("history", views.history, name="history"),
]
