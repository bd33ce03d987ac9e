from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onething.supervision"
    label = "supervision"
    verbose_name = "效能监测"
