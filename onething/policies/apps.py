from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "onething.policies"
    label = "policies"
