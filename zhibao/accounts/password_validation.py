from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least `min_classes` of the four character classes: lower, upper, digit, symbol
    (GB/T 22239-2019 level 3 身份鉴别: 口令应具有复杂度要求)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum([
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ])

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(
                _("Use at least %(min)d of these four: lower-case letters, upper-case letters, digits, symbols.")
                % {"min": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Use at least %(min)d of these four: lower-case letters, upper-case letters, digits, symbols."
        ) % {"min": self.min_classes}
