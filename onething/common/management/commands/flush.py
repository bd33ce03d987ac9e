"""`flush` that also works on a guarded audit table — in demo mode (and tests) only.

The audit triggers refuse deleting rows, so Django's flush fails on them: as it should in
production. A demo or test database is wiped for real, so the guard is lifted for the flush
and put back afterwards (post_migrate reinstalls it as well).
"""

from django.conf import settings
from django.core.management.commands.flush import Command as FlushCommand


class Command(FlushCommand):
    def handle(self, **options):
        if not settings.DEMO_MODE:
            return super().handle(**options)
        from onething.common import audit

        database = options["database"]
        audit.harden(undo=True, using=database)
        try:
            return super().handle(**options)
        finally:
            audit.harden(using=database)
