from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "onething.registry"
    label = "registry"
