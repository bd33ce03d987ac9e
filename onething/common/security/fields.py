"""Model fields that keep personal information encrypted in the column, or as a blind index."""

import json

from django.core.exceptions import FieldError, ValidationError
from django.db import models

from .encryption import blind_index, decrypt, encrypt, is_ciphertext, json_ciphertext


class Ciphertext(str):
    """A value already encrypted (read from a backup); stored as-is, never encrypted twice."""


class CiphertextColumn:
    """What the encrypted fields share: a ``text`` column, and a value read from a backup (already
    ciphertext) kept as such, never accepted from a form."""

    def db_type(self, connection):
        return "text"

    def to_python(self, value):
        if is_ciphertext(value):
            return Ciphertext(value)
        return super().to_python(value)

    def validate(self, value, model_instance):
        if isinstance(value, Ciphertext):
            raise ValidationError("格式不正确", code="invalid")
        super().validate(value, model_instance)


class EncryptedCharField(CiphertextColumn, models.CharField):
    """A CharField whose column holds SM4 ciphertext; Python code sees the plain text.

    ``max_length`` limits the plain text (forms, full_clean); the column is ``text``.
    Exact and ``__in`` lookups work (deterministic encryption); ordering, ranges and
    ``contains`` do not — they would compare ciphertexts. Serialised dumps carry the
    ciphertext, so backups hold no clear personal data.
    """

    description = "Encrypted text"

    def __init__(self, *args, lookup_via: str = "", **kwargs):
        # With a blind index (``lookup_via="id_number_hash"``) every lookup goes through it: an
        # exact match on the unindexed ciphertext column would scan the whole table.
        self.lookup_via = lookup_via
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.lookup_via:
            kwargs["lookup_via"] = self.lookup_via
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or isinstance(value, Ciphertext):
            return value
        return encrypt(str(value))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name):
        # Other lookups would compare ciphertexts and silently match nothing.
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(f"加密字段不支持 {lookup_name} 查询，只能精确匹配")
        if self.lookup_via and lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能直接查询，请改用 {self.lookup_via} 查询（如盲索引）"
            )
        return super().get_lookup(lookup_name)


ALLOWED_LOOKUPS = {"exact", "in", "isnull"}


class HashField(models.CharField):
    """A ``*_hash`` companion: the blind index of another field, filled on every save.

    For a value stored elsewhere (or not at all) that must still be found by exact match::

        id_number_hash = HashField(source="id_number", purpose="person.id")
        Person.objects.filter(id_number_hash=blind_index(x, purpose="person.id"))

    ``QuerySet.update`` and ``bulk_update`` do not call ``pre_save``: set the hash yourself there.
    """

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = blind_index(plain, purpose=self.purpose) if plain else ""
        setattr(model_instance, self.attname, value)
        return value


class EncryptedJSONField(CiphertextColumn, models.JSONField):
    """A JSONField whose column (``text``) holds the whole document as one SM4 ciphertext.

    For documents that carry personal numbers among other values (an application form, the
    applicant's particulars). Python code sees the dict. Nothing can be queried inside the
    document — key transforms and containment would read ciphertext — only ``isnull``: a value
    that must be filtered on needs a column of its own or a blind index. Dumps carry the
    ciphertext, as with ``EncryptedCharField``.
    """

    description = "Encrypted JSON"

    def get_internal_type(self):
        # Not "JSONField": SQLite would add a JSON_VALID check that a ciphertext cannot pass.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(decrypt(value), cls=self.decoder)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or isinstance(value, Ciphertext) or hasattr(value, "as_sql"):
            return value
        return json_ciphertext(value, encoder=self.encoder)

    def value_to_string(self, obj):
        return self.get_db_prep_value(self.value_from_object(obj), connection=None)

    def get_transform(self, name):
        return None  # no key lookups inside a ciphertext; get_lookup explains the refusal

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能按内容查询（{lookup_name}），需要查询的值请另设列或盲索引"
            )
        return super().get_lookup(lookup_name)
