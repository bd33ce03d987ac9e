"""Demo: the standard catalog from data/catalog, then departments and demo users."""

from django.conf import settings

from onething.accounts import demo as accounts_demo

from . import services


def load(*, seed: int, stdout) -> None:
    counts = services.catalog_import(path=settings.CATALOG_DIR)
    stdout.write(f"目录：{counts}")
    accounts_demo.users_load(stdout=stdout)
