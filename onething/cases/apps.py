from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onething.cases"
    label = "cases"
