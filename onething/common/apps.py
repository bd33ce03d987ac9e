from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "onething.common"
    label = "common"
    verbose_name = "公共服务"
