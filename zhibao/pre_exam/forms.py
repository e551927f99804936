"""Forms of the applicant's pages in the pre-examination channel.

They check input only — what was sent, in which shape, and each upload with the attachment
checks so a refused file is reported next to its field. Whether the application may enter
the channel (region, filing, fields, documents required for the patent type …) is decided by
the services; their WorkflowError is put back on these forms with `apply_workflow_error`.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibao.accounts.choices import MembershipRole
from zhibao.accounts.models import Organization
from zhibao.core.attachments.forms import AttachmentField, MultipleAttachmentField
from zhibao.core.forms import IdempotentForm
from zhibao.patents.choices import PatentType

from .choices import ApplicationKind, DocumentKind, PriorityGround
from .models import Filing, TechnicalField

# How many files one document of an application may have (a design's views, several drawings).
FILES_PER_DOCUMENT = 10


def apply_upload_error(form: forms.Form, exc, field: str | None = None) -> None:
    """An AttachmentRejected (ValidationError) a service raised after the form's own checks."""
    form.add_error(field if field in form.fields else None, exc.messages)


def owned_organizations(user):
    """The organizations the user may apply for filing for: those they administer."""
    return Organization.objects.filter(memberships__user=user, memberships__role=MembershipRole.OWNER).distinct()


def filed_organizations(user):
    """The user's organizations with a valid pre-examination filing."""
    return (Organization.objects.filter(memberships__user=user)
            .filter(pk__in=Filing.objects.valid().values("organization_id")).distinct())


def member_organizations(user):
    return Organization.objects.filter(memberships__user=user).distinct()


def active_fields():
    return TechnicalField.objects.filter(active=True)


def _document_field(kind: DocumentKind) -> MultipleAttachmentField:
    field = MultipleAttachmentField(kind=kind.value, label=kind.label, required=False, max_files=FILES_PER_DOCUMENT)
    field.help_text = field.allowed_help()
    return field


class DocumentsMixin:
    """One file input per application document (DocumentKind), each optional here: which are
    required depends on the patent type, and the service decides (intake.REQUIRED_DOCUMENTS)."""

    def add_document_fields(self) -> None:
        for kind in DocumentKind:
            self.fields[kind.value] = _document_field(kind)

    def document_fields(self):
        return [self[kind.value] for kind in DocumentKind]

    def document_uploads(self) -> dict[str, list]:
        """{kind: [CleanUpload, …]} of the documents sent, for attachment_add."""
        return {kind.value: self.cleaned_data[kind.value] for kind in DocumentKind if self.cleaned_data.get(kind.value)}


class FilingForm(IdempotentForm):
    """预审备案: the organization, its technical fields and business scope, a contact, the licence."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none(),
                                          empty_label=None)
    technical_fields = forms.ModelMultipleChoiceField(
        label=_("Technical fields"), queryset=TechnicalField.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False, help_text=_("The center's fields your organization works in; choose one or more."))
    business_scope = forms.CharField(
        label=_("Business scope"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("As written on the business licence (经营范围)."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    licence = AttachmentField(kind="licence", label=_("Business licence"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.fields["organization"]
        organization.queryset = owned_organizations(user)
        organization.label_from_instance = lambda o: o.name if o.is_verified else (
            gettext("%(name)s (not verified yet)") % {"name": o.name})
        self.fields["technical_fields"].queryset = active_fields()
        self.fields["licence"].help_text = gettext("A scan, a photo or the electronic licence: %(formats)s.") % {
            "formats": self.fields["licence"].allowed_help()}


class CaseForm(DocumentsMixin, IdempotentForm):
    """The new pre-examination case: who applies, what kind of application, the invention,
    its classification, the agency and the documents."""

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None,
        help_text=_("Organizations you belong to with a valid pre-examination filing."))
    patent_type = forms.ChoiceField(label=_("Patent type"), choices=PatentType.choices, initial=PatentType.INVENTION)
    application_kind = forms.ChoiceField(label=_("Kind of application"), choices=ApplicationKind.choices,
                                         initial=ApplicationKind.ORDINARY, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title of the invention"), max_length=200)
    abstract = forms.CharField(label=_("Abstract"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    # Which of the two is required depends on the patent type (the service decides): IPC for an
    # invention or a utility model, Locarno for a design. The page shows the one the type needs.
    ipc_codes = forms.CharField(
        label=_("IPC codes"), max_length=500, required=False,
        help_text=_("The main classification first, separated by semicolons, e.g. H01M 10/052; H01M 4/36."))
    locarno_codes = forms.CharField(
        label=_("Locarno codes"), max_length=200, required=False,
        help_text=_("A design's class and subclass (国际外观设计分类), the main one first, separated by semicolons, "
                    "e.g. 13-03; 13-02."))
    field = forms.ModelChoiceField(label=_("Technical field"), queryset=TechnicalField.objects.none())
    agency = forms.CharField(label=_("Patent agency"), max_length=200, required=False)
    agent = forms.CharField(label=_("Patent agent"), max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = filed_organizations(user)
        self.fields["field"].queryset = active_fields()
        self.add_document_fields()

    def patent_type_value(self) -> str:
        """The patent type the page is drawn for: what was sent, else the initial one."""
        value = self["patent_type"].value()
        return value if value in PatentType.values else PatentType.INVENTION

    def is_design(self) -> bool:
        return self.patent_type_value() == PatentType.DESIGN


def locarno_ranges(fields) -> list[dict]:
    """The Locarno classes each field takes designs in, labelled (`13 发电、配电或变电设备`), for
    the new-case page."""
    from .locarno import label

    return [{"field": f, "classes": [label(c) for c in f.locarno_classes]} for f in fields if f.locarno_classes]


class PriorityForm(IdempotentForm):
    """优先审查: an application already filed at CNIPA, the ground, the prior-art search report."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none(),
                                          empty_label=None)
    application_number = forms.CharField(label=_("CNIPA application number"), max_length=30,
                                         help_text=_("e.g. 202410001234.1"))
    title = forms.CharField(label=_("Title of the invention"), max_length=200, required=False,
                            help_text=_("As filed; taken from the pre-examination case when left empty."))
    field = forms.ModelChoiceField(label=_("Technical field"), queryset=TechnicalField.objects.none())
    ground = forms.ChoiceField(label=_("Ground"), choices=PriorityGround.choices, widget=forms.RadioSelect)
    ground_detail = forms.CharField(label=_("Why the ground applies"), max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    search_report = AttachmentField(kind="pe_search_report", label=_("Prior-art search report"), required=False)

    def __init__(self, *args, user, quota: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = member_organizations(user)
        field = self.fields["field"]
        field.queryset = active_fields()
        if quota is not None:  # “新材料 (recommendations left this year: 58)”
            field.label_from_instance = lambda f: gettext("%(field)s (recommendations left this year: %(left)s)") % {
                "field": f.name, "left": quota.get(f.pk, 0)}
        report = self.fields["search_report"]
        report.help_text = gettext("Required: %(formats)s.") % {
            "formats": report.allowed_help()}


class ReplyForm(DocumentsMixin, forms.Form):
    """The applicant's reply to the open correction notice, with any revised documents: each
    file is a new version of its document, the earlier versions stay on the case."""

    text = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_document_fields()


class RecordFilingForm(forms.Form):
    """The CNIPA application number and filing date of a qualified case."""

    cnipa_application_number = forms.CharField(label=_("CNIPA application number"), max_length=30,
                                               help_text=_("e.g. 202410001234.1"))
    cnipa_filed_on = forms.DateField(label=_("Filed at CNIPA on"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     help_text=_("Today when left empty."))

    def payload(self) -> dict:
        """The transition's payload (JSON, as the case event keeps it); an empty date is left
        to the service, which takes today."""
        filed_on = self.cleaned_data.get("cnipa_filed_on")
        return {"cnipa_application_number": self.cleaned_data["cnipa_application_number"].strip(),
                "cnipa_filed_on": filed_on.isoformat() if filed_on else ""}
