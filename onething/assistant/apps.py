from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "onething.assistant"
    label = "assistant"
