from collections.abc import Callable

from django.contrib import admin

from onething.common import audit

from .models import Consent, Entity, License, Person, SealKey, UsageRecord, id_hash, phone_hash


class EncryptedSearchMixin:
    """Encrypted numbers cannot be searched by substring: a whole ID number or phone number typed
    into the search box is matched exactly through its keyed hash, alongside the plain fields."""

    hash_search: dict[str, Callable[[str], str]] = {}

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            for column, fn in self.hash_search.items():
                found |= queryset.filter(**{column: fn(term)})
        return found, may_have_duplicates


class FullNumbersAudited:
    """The change form shows the full numbers: each opening is a sensitive read (audited)."""

    audited_fields: tuple[str, ...] = ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None:
            for name in self.audited_fields:
                if getattr(obj, name, ""):
                    audit.sensitive_read(actor=request.user, object=obj, what=name)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Person)
class PersonAdmin(EncryptedSearchMixin, FullNumbersAudited, admin.ModelAdmin):
    list_display = [
        "name",
        "masked_id",
        "gender",
        "birth_date",
        "household_region",
        "marital_status",
    ]
    list_filter = ["gender", "marital_status", "is_veteran", "disability_category"]
    search_fields = ["name"]
    search_help_text = "按姓名搜索，或输入完整的公民身份号码、联系电话精确查找"
    hash_search = {"id_number_hash": id_hash, "phone_hash": phone_hash}
    audited_fields = ("id_number", "phone")
    raw_id_fields = ["spouse", "household_region", "residence_region"]

    @admin.display(description="公民身份号码")
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(Entity)
class EntityAdmin(EncryptedSearchMixin, FullNumbersAudited, admin.ModelAdmin):
    list_display = [
        "name",
        "credit_code",
        "entity_type",
        "registered_region",
        "operating_status",
        "checksum_override",
    ]
    list_filter = ["entity_type", "operating_status", "checksum_override", "is_small_micro"]
    search_fields = ["name", "credit_code"]
    search_help_text = "按名称、统一社会信用代码搜索，或输入法定代表人完整的公民身份号码、联系电话"
    hash_search = {"legal_rep_id_number_hash": id_hash, "phone_hash": phone_hash}
    audited_fields = ("legal_rep_id_number", "phone")
    raw_id_fields = ["legal_rep", "registered_region"]


@admin.register(License)
class LicenseAdmin(EncryptedSearchMixin, FullNumbersAudited, admin.ModelAdmin):
    """Read-only: licences change only through services (issue, revoke), never by hand."""

    list_display = [
        "identifier",
        "license_type",
        "holder_name",
        "department",
        "valid_until",
        "status",
    ]
    list_filter = ["status", "license_type"]
    search_fields = ["identifier", "holder_name", "case_number", "entity__credit_code"]
    search_help_text = (
        "按证照标识、持证主体名称、办件编号、信用代码搜索，或输入持证人完整的公民身份号码"
    )
    hash_search = {"person__id_number_hash": id_hash}
    audited_fields = ("holder_number", "data")
    exclude = ["salts"]  # secret: with them a salted digest of an ID number could be brute-forced

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SealKey)
class SealKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "department", "active", "created_at"]
    exclude = ["private_key_encrypted"]
    readonly_fields = ["key_id", "department", "public_key", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = [
        "grantee",
        "person",
        "entity",
        "purpose",
        "case_number",
        "granted_at",
        "expires_at",
    ]
    raw_id_fields = ["person", "entity", "grantee"]


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "purpose", "case_number", "person", "entity"]
    search_fields = ["case_number", "purpose"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
