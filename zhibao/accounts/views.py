from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibao.core.services.cases import WorkflowError

from .choices import OrganizationStatus
from .forms import JoinOrganizationForm, OrganizationForm, ProfileForm, RegisterForm, VerificationSubmitForm
from .models import Organization
from .selectors import organizations_visible_to
from .services import (
    organization_create,
    organization_join,
    organization_update,
    organization_verification_submit,
    user_register,
)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_not_required
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:my_cases")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(
                username=data["username"], password=data["password1"], email=data["email"],
                mobile=data["mobile"], display_name=data["display_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _apply_errors(form, exc)
            else:
                form.add_error("password1", exc.messages)
        else:
            login(request, user, backend="zhibao.accounts.backends.UsernameOrMobileBackend")
            messages.success(request, _("Welcome! Next, register your organization or join one."))
            return redirect("accounts:organization_list")
    return render(request, "accounts/register.html", {"form": form})


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def organization_list(request):
    orgs = organizations_visible_to(request.user)
    mine = orgs.filter(memberships__user=request.user).distinct()
    others = orgs.exclude(pk__in=mine.values("pk")) if request.user.is_staff_member else orgs.none()
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if q:
        others = others.filter(name__icontains=q)
    if status:
        others = others.filter(status=status)
    return render(request, "accounts/organization_list.html", {
        "mine": mine, "others": others[:200], "join_form": JoinOrganizationForm(), "q": q, "status": status,
    })


def organization_create_view(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Organization registered. Submit it for verification when its details are complete."))
            return redirect(org)
    return render(request, "accounts/organization_form.html", {"form": form, "creating": True})


def _organization_for(request, pk) -> Organization:
    org = get_object_or_404(organizations_visible_to(request.user), pk=pk)
    if not request.user.has_perm("accounts.view_organization", org):
        raise PermissionDenied
    return org


def _organization_page(request, org: Organization, submit_form: VerificationSubmitForm):
    return render(request, "accounts/organization_detail.html", {
        "org": org,
        "is_owner": request.user.has_perm("accounts.change_organization", org),
        "members": org.memberships.select_related("user"),
        "verifications": org.verifications.select_related("case").order_by("-case__submitted_at"),
        "submit_form": submit_form,
    })


def organization_detail(request, pk):
    org = _organization_for(request, pk)
    return _organization_page(request, org, VerificationSubmitForm(organization=org))


def organization_edit(request, pk):
    org = _organization_for(request, pk)
    if not request.user.has_perm("accounts.change_organization", org):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(organization=Organization.objects.get(pk=org.pk), user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(org)
    return render(request, "accounts/organization_form.html", {"form": form, "org": org})


@require_POST
def organization_join_view(request):
    form = JoinOrganizationForm(request.POST)
    if form.is_valid():
        try:
            membership = organization_join(user=request.user, join_code=form.cleaned_data["join_code"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You joined %(name)s.") % {"name": membership.organization.name})
            return redirect(membership.organization)
    else:
        messages.error(request, _("Enter the 8-character join code."))
    return redirect("accounts:organization_list")


@require_POST
def organization_verify_submit(request, pk):
    org = _organization_for(request, pk)
    if not request.user.has_perm("accounts.change_organization", org):
        raise PermissionDenied  # only an owner submits; staff who may read the page may not
    form = VerificationSubmitForm(request.POST, request.FILES, organization=org)
    key = (form["idempotency_key"].value() or "")[:64]
    if form.is_valid():
        files = {"licence": form.cleaned_data["licence"], "documents": form.cleaned_data["documents"]}
    elif org.status in (OrganizationStatus.UNVERIFIED, OrganizationStatus.REJECTED):
        # A refused file: the page again, each reason next to its field, the form's key kept.
        return _organization_page(request, org, form)
    else:
        # A replayed or stale submission, no form on the page to correct any more: the
        # service answers with the case already opened, or why it cannot open one.
        files = {}
    try:
        verification, created = organization_verification_submit(
            organization=org, user=request.user, idempotency_key=key, **files
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(org)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _organization_page(request, org, form)
    if created:
        messages.success(request, _("Submitted for verification as case %(number)s.") % {"number": verification.case.number})
    return redirect(verification.case)
