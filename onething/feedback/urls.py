from django.urls import path, register_converter

from . import views


class TicketNumber:
    """A 工单编号: the acceptance date and the zero-padded row id (services.tickets), 14 or more
    digits, so it never collides with the short row ids old links carry."""

    regex = "[0-9]{14,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TicketNumber, "ticket_number")

app_name = "feedback"

urlpatterns = [
    path("", views.index, name="index"),
    path("rate/<str:number>/", views.rate, name="rate"),
    path("r/<str:token>/", views.rate_by_link, name="rate_link"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/suggest/", views.suggest, name="suggest"),
    path("tickets/<ticket_number:number>/", views.ticket, name="ticket"),
    path("tickets/<ticket_number:number>/merge/", views.merge, name="merge"),
    # Links from before tickets were addressed by number (messages, warnings, bookmarks).
    path("tickets/<int:pk>/", views.ticket_by_id, name="ticket_by_id"),
    path("metrics/", views.metrics, name="metrics"),
]
