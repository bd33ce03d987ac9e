from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "onething.feedback"
    label = "feedback"
    verbose_name = "好差评与12345"

    def ready(self):
        # Cases sit below feedback: a completed case invites its rating through this hook.
        from onething.cases import hooks

        from . import services

        hooks.on_case_completed("feedback.rating_invite", services.rating_invite)
