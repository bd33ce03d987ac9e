from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "onething.integration"
    verbose_name = "部门业务系统对接"
