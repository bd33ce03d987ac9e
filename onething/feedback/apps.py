from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onething.feedback"
    label = "feedback"
