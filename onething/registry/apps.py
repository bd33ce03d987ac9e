from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "onething.registry"
    label = "registry"
    verbose_name = "电子证照与基础库"
