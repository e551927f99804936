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


def apply_workflow_error(form: forms.Form, exc, *, field_map: dict[str, str] | None = None) -> None:
    """Put a service's refusal (WorkflowError) on a form: the message on top, each field's
    reason next to it. `field_map` renames a service's field to the form's (a transition's
    "comment" is a reply form's "text")."""
    field_map = field_map or {}
    form.add_error(None, exc.message)
    for name, errors in (exc.fields or {}).items():
        name = field_map.get(name, name)
        if name in form.fields and name not in form.errors:
            form.add_error(name, [str(e) for e in errors])
