from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "onething.assistant"
    label = "assistant"
    verbose_name = "智能导办"
