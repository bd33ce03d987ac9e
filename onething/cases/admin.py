from django.contrib import admin

from onething.common import audit

from . import serialize
from .models import Case, Commitment, CreditRecord, Document, Task, subject_hash


class ReadOnlyAdmin(admin.ModelAdmin):
    """Cases change only through services (events, notifications); the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FullNumbersAudited:
    """The view page shows documents with numbers in full: each opening is a sensitive read."""

    def personal_fields(self, obj) -> list[str]:
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and (fields := self.personal_fields(obj)):
            audit.sensitive_read(
                actor=request.user, object=obj, what=obj._meta.model_name, fields=fields
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Case)
class CaseAdmin(FullNumbersAudited, ReadOnlyAdmin):
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

    def personal_fields(self, obj):
        documents = {
            "applicant_data": obj.applicant_data,
            "form": obj.form,
            "prefilled": obj.prefilled,
        }
        found = [p for name, doc in documents.items() for p in serialize.personal_paths(doc, name)]
        return found + [
            f"case.{n}" for n in ("reason", "problems") if serialize.holds_numbers(getattr(obj, n))
        ]


@admin.register(Task)
class TaskAdmin(FullNumbersAudited, ReadOnlyAdmin):
    list_display = ["case", "name", "department", "status", "deadline", "warning", "flagged"]
    list_filter = ["status", "warning"]

    def personal_fields(self, obj):
        return serialize.personal_paths(obj.data, "data") + serialize.task_text_fields([obj])


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "due_date", "status"]
    list_filter = ["status"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["case", "title", "department", "created_at"]
    exclude = ["pdf"]


@admin.register(CreditRecord)
class CreditRecordAdmin(FullNumbersAudited, ReadOnlyAdmin):
    list_display = ["masked_subject", "name", "case", "created_at"]
    search_fields = ["name"]
    search_help_text = "按主体名称搜索，或输入完整的证件号码精确查找"

    @admin.display(description="主体证件号")
    def masked_subject(self, obj):
        return serialize.masked("id_number", obj.subject)

    def personal_fields(self, obj):
        return ["subject"]

    def get_search_results(self, request, queryset, search_term):
        # The subject is encrypted: only a whole number, through its hash, can match it.
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if term := search_term.strip():
            found |= queryset.filter(subject_hash=subject_hash(term))
        return found, duplicates
