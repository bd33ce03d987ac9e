"""Chinese names for django-otp's TOTP device, which the security administrator sees in the admin.

django-otp (1.7) writes its model's names, help texts and admin section titles as plain English
literals, not marked for translation, so no locale file can translate them. They are named here:

- the app's and model's display names and each field's ``verbose_name``, set when the apps are
  ready. None of these is in the migration state (it reads a field's own ``_verbose_name`` and the
  model's original Meta), so django-otp's migrations stay as they are;
- help texts and section titles through the admin (``admin.GuardedTOTPDeviceAdmin``): a model
  field's ``help_text`` *is* in the migration state, so the model keeps its English one.
"""

APP_NAME = "双因素认证"
MODEL_NAME = "身份验证器（TOTP）"

FIELD_LABELS = {
    "id": "ID",
    "user": "用户",
    "name": "名称",
    "confirmed": "已绑定",
    "created_at": "创建时间",
    "last_used_at": "最近使用时间",
    "key": "密钥",
    "step": "时间步长（秒）",
    "t0": "起始时间（Unix 时间戳）",
    "digits": "验证码位数",
    "tolerance": "允许误差（时间步）",
    "drift": "时钟偏差（时间步）",
    "last_t": "最近验证的时间步",
    "throttling_failure_timestamp": "最近验证失败时间",
    "throttling_failure_count": "连续验证失败次数",
}

HELP_TEXTS = {
    "user": "该身份验证器所属的用户。",
    "name": "便于识别的设备名称。",
    "confirmed": "用户已输入正确验证码完成绑定，可用于登录。",
    "created_at": "设备在系统中创建的时间。",
    "last_used_at": "最近一次用该设备验证成功的时间。",
    "key": "十六进制编码的密钥，最长 40 字节。",
    "step": "每个验证码的有效时长（秒）。",
    "t0": "开始计算时间步的 Unix 时间。",
    "digits": "验证码的位数。",
    "tolerance": "允许前后相差的时间步数。",
    "drift": "用户手机时钟与服务器相差的时间步数。",
    "last_t": "最近一次验证通过的时间步，之后的验证码须晚于它。",
    "throttling_failure_timestamp": "最近一次验证失败的时间；上次验证成功则为空。",
    "throttling_failure_count": "连续验证失败的次数。",
}

SECTIONS = {
    "Identity": "设备",
    "Timestamps": "时间",
    "Configuration": "参数",
    "State": "状态",
    "Throttling": "失败限制",
}

SEARCH_HELP = "按用户名或电子邮件地址搜索"


def relabel() -> None:
    """Give the TOTP device's app, model and fields their Chinese display names."""
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("otp_totp").verbose_name = APP_NAME
    meta = TOTPDevice._meta
    meta.verbose_name = meta.verbose_name_plural = MODEL_NAME
    for name, label in FIELD_LABELS.items():
        meta.get_field(name).verbose_name = label
