from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.index, name="index"),
    path("rate/<str:number>/", views.rate, name="rate"),
    path("r/<str:token>/", views.rate_by_link, name="rate_link"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/suggest/", views.suggest, name="suggest"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/merge/", views.merge, name="merge"),
    path("metrics/", views.metrics, name="metrics"),
]
