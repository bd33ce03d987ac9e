from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onething.supervision"
    label = "supervision"
