"""Password rules beyond Django's: GB/T 22239 asks for complexity, not only length."""

import string

from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
]


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper case, lower case, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _, chars in CLASSES if chars & set(password))
        used += any(not (c.isascii() and c.isalnum()) for c in password)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须至少包含大写字母、小写字母、数字、其他符号中的 {self.min_classes} 类。"
