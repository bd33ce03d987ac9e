from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "onething.common"
    label = "common"
