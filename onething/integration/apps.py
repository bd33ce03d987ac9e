from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "onething.integration"
    verbose_name = "部门业务系统对接"

    def ready(self):
        # Cases sit below integration: they reach department systems through this hook.
        from onething.cases import hooks

        from . import selectors, services

        hooks.use_dispatch(
            hooks.Dispatch(
                task_started=services.task_started,
                task_resumed=services.task_resumed,
                task_cancelled=services.task_cancelled,
                decided_externally=selectors.decided_externally,
            )
        )
