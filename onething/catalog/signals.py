"""Catalog change notifications: listeners (the assistant's index) subscribe here."""

from django.dispatch import Signal

changed = Signal()


def catalog_changed() -> None:
    changed.send(sender="catalog")
