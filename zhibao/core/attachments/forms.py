"""Form fields that run the attachment checks, so a refused file shows its reason next to
the field and the rest of the form keeps what the person entered."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .kinds import get_kind, limits
from .validators import validate_upload


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """One file of attachment kind `kind`; cleans to a CleanUpload (or None when empty)."""

    widget = forms.FileInput

    def __init__(self, *, kind: str, **kwargs):
        self.kind = get_kind(kind)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", self.kind.accept)

    def allowed_help(self) -> str:
        """“PDF, JPEG image, PNG image; at most 20.0 MB”: for the field's help text."""
        return _("%(allowed)s; at most %(size)s") % {
            "allowed": self.kind.allowed_label,
            "size": filesizeformat(limits().max_bytes),
        }

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        return validate_upload(kind=self.kind.code, uploaded_file=uploaded)


class MultipleAttachmentField(AttachmentField):
    """Several files of one kind; cleans to a list of CleanUploads and reports every refused
    file, not only the first."""

    widget = MultipleFileInput

    def allowed_help(self) -> str:
        return _("%(allowed)s; at most %(size)s each") % {
            "allowed": self.kind.allowed_label,
            "size": filesizeformat(limits().max_bytes),
        }

    def __init__(self, *, kind: str, max_files: int | None = None, **kwargs):
        super().__init__(kind=kind, **kwargs)
        self.max_files = max_files

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        limit = self.max_files if self.max_files is not None else limits().max_files_per_case
        if len(files) > limit:
            raise ValidationError(
                _("Choose at most %(limit)s files here; you chose %(count)s."),
                code="too_many_files",
                params={"limit": limit, "count": len(files)},
            )
        single = AttachmentField(kind=self.kind.code, required=False)
        cleaned, errors = [], []
        for uploaded in files:
            try:
                cleaned.append(single.clean(uploaded))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned
