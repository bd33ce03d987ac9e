"""A guidance conversation, kept on the server so any client can continue it by id."""

import uuid

from django.conf import settings
from django.db import models

from onething.common.models import TimeStampedModel


class Conversation(TimeStampedModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistant_conversations",
        verbose_name="用户",
    )
    # [{"role": "user"|"assistant", "text": …, "kind": …}], newest last, bounded in services.
    messages = models.JSONField("对话记录", default=list, blank=True)
    # {"stage": …, "code": …, "answers": {…}, "candidates": […], "intent": …}
    state = models.JSONField("对话状态", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导办对话"
        ordering = ["-updated_at"]

    def __str__(self):
        return str(self.id)
