from django.contrib import admin

from .models import Conversation


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: staff look at conversations to see where people get stuck."""

    list_display = ["id", "user", "stage", "updated_at"]
    readonly_fields = ["id", "user", "messages", "state", "created_at", "updated_at"]

    @admin.display(description="阶段")
    def stage(self, obj):
        return obj.state.get("stage", "")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
