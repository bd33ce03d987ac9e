from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "onething.policies"
    label = "policies"
    verbose_name = "惠企惠民政策"
