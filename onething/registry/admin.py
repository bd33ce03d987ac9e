from django.contrib import admin

from .models import Consent, Entity, License, Person, SealKey, UsageRecord


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "masked_id",
        "gender",
        "birth_date",
        "household_region",
        "marital_status",
    ]
    list_filter = ["gender", "marital_status", "is_veteran", "disability_category"]
    search_fields = ["name", "id_number"]
    raw_id_fields = ["spouse", "household_region", "residence_region"]

    @admin.display(description="公民身份号码")
    def masked_id(self, obj):
        return obj.masked_id


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["legal_rep", "registered_region"]


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
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
    search_fields = ["identifier", "holder_name", "holder_number", "case_number"]

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
