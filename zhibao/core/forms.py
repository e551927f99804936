import uuid

from django import forms
from django.utils.translation import gettext_lazy as _


class IdempotentForm(forms.Form):
    """A form whose submit carries a one-time key, so a double click or a resent POST
    creates one case, not two."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
