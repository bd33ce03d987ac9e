from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onething.feedback"
    label = "feedback"
    verbose_name = "好差评与12345"
