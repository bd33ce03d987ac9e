from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "onething.rules"
    label = "rules"
    verbose_name = "规则引擎"
