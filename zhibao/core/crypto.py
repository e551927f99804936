"""Field encryption for personal data at rest (PIPL art. 51; GB/T 35273 §6.3).

Fernet (AES-128-CBC + HMAC-SHA256, random IV): the same plaintext never gives the same
column value, so the raw column reveals nothing and cannot be matched by a dictionary.
The key comes from ZHIBAO_FIELD_KEY (required in production); elsewhere it is derived from
the secret key so development and tests need no set-up.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


def _keys() -> list[bytes]:
    configured = getattr(settings, "ZHIBAO_FIELD_KEYS", [])
    if configured:
        return [k.encode() if isinstance(k, str) else k for k in configured]
    if settings.PRODUCTION:
        raise ImproperlyConfigured("ZHIBAO_FIELD_KEY is required in production (Fernet.generate_key()).")
    return [base64.urlsafe_b64encode(hashlib.sha256(b"zhibao-field-key:" + settings.SECRET_KEY.encode()).digest())]


def _fernet() -> MultiFernet:
    # The first key encrypts; all keys decrypt, so keys can be rotated.
    return MultiFernet([Fernet(k) for k in _keys()])


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # a value written before encryption was switched on
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("An encrypted field cannot be read with the configured ZHIBAO_FIELD_KEY") from exc


class EncryptedCharField(models.TextField):
    """A short text stored encrypted; validated and used as plain text in Python.

    Encrypted columns cannot be searched or compared in SQL: look such values up through a
    separate digest column when that is needed.
    """

    def __init__(self, *args, max_length=None, **kwargs):
        self.plain_max_length = max_length
        super().__init__(*args, **kwargs)
        if max_length:
            from django.core.validators import MaxLengthValidator

            self.validators.append(MaxLengthValidator(max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(max_length=self.plain_max_length, required=not self.blank, label=self.verbose_name,
                               help_text=self.help_text, **{k: v for k, v in kwargs.items() if k == "widget"})
