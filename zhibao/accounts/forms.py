from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibao.core.attachments.forms import AttachmentField, MultipleAttachmentField
from zhibao.core.attachments.kinds import limits
from zhibao.core.forms import IdempotentForm

from .choices import OrganizationKind
from .models import Organization

User = get_user_model()


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Username or mobile number"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, help_text=_("Letters, digits and @/./+/-/_ only."))
    display_name = forms.CharField(label=_("Your name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=11, required=False)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                max_length=128, help_text=_("At least 12 characters, not a common password."))
    password2 = forms.CharField(label=_("Password again"), max_length=128,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"].strip()
        if mobile and User.objects.filter(mobile=mobile).exists():
            raise forms.ValidationError(_("This mobile number is already registered; log in or reset your password."))
        return mobile or None

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["kind", "name", "uscc", "address", "industry"]
        help_texts = {
            "uscc": _("18 characters, on the business licence. Not needed for an individual."),
            "address": _("Registered address; province, city and county are read from it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = OrganizationKind.choices
        self.fields["uscc"].required = False


class JoinOrganizationForm(forms.Form):
    join_code = forms.CharField(label=_("Join code"), max_length=8, min_length=8,
                                help_text=_("The 8-character code the organization's owner sees on its page."))


class ProfileForm(forms.ModelForm):
    """The owner edits their own details, so they see their own numbers in full here."""

    class Meta:
        model = User
        fields = ["display_name", "email", "mobile", "resident_id"]
        help_texts = {"resident_id": _("Only needed by individual applicants; stored encrypted.")}

    def clean_mobile(self):
        return self.cleaned_data.get("mobile") or None

    def clean_resident_id(self):
        return (self.cleaned_data.get("resident_id") or "").strip().upper()


class VerificationSubmitForm(IdempotentForm):
    """“Submit for verification”: the business licence (营业执照) and any other documents.

    """

    licence = AttachmentField(kind="licence", label=_("Business licence"), required=False)
    documents = MultipleAttachmentField(kind="document", label=_("Other documents"), required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Every registered entity has a licence; an individual applicant has none.
        self.fields["licence"].required = organization.kind != OrganizationKind.INDIVIDUAL
        self.fields["licence"].help_text = gettext("A scan, a photo or the electronic licence: %(formats)s.") % {
            "formats": self.fields["licence"].allowed_help()
        }
        documents = self.fields["documents"]
        documents.max_files = max(limits().max_files_per_case - 1, 0)
        documents.help_text = gettext("Optional, several at once: %(formats)s.") % {"formats": documents.allowed_help()}
