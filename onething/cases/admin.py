from django.contrib import admin

from .models import Case, Commitment, CreditRecord, Document, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    """Cases change only through services (events, notifications); the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "title",
        "status",
        "accept_region",
        "process_region",
        "submitted_at",
        "deadline",
    ]
    list_filter = ["status", "channel", "tolerance", "flagged"]
    search_fields = ["number", "title"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "department", "status", "deadline", "warning", "flagged"]
    list_filter = ["status", "warning"]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "due_date", "status"]
    list_filter = ["status"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["case", "title", "department", "created_at"]
    exclude = ["pdf"]


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ["subject", "name", "case", "created_at"]
