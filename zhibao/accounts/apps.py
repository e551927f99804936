from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhibao.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organizations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhibao.core.choices import Role
        from zhibao.core.registry import ServiceSpec, registry

        from .choices import VerificationState
        from .models import Membership, Organization, OrganizationVerification, User

        # Every change to people and organizations goes to the change log, personal data masked.
        auditlog.register(User, exclude_fields=["password", "last_login"], mask_fields=["mobile", "resident_id"],
                          mask_callable="zhibao.accounts.models.mask_personal")
        auditlog.register(Organization)
        auditlog.register(Membership)
        auditlog.register(OrganizationVerification)

        # Organization verification is itself a service of the one-stop portal (ORG): it
        # runs through the same case index, events, worklist and notifications as the rest.
        registry.register(
            ServiceSpec(
                code="ORG",
                name=_("Organization verification"),
                description=_(
                    "Register your enterprise, university or institute and have the center verify it; "
                    "a verified organization can use every other service."
                ),
                entry_url_name="accounts:organization_list",
                model=OrganizationVerification,
                states=VerificationState,
                time_limits={VerificationState.SUBMITTED: 2, VerificationState.IN_REVIEW: 5, VerificationState.RETURNED: 10},
                responsible_role={VerificationState.SUBMITTED: Role.CLERK, VerificationState.IN_REVIEW: Role.CLERK},
                closed_states=frozenset({VerificationState.VERIFIED, VerificationState.REJECTED, VerificationState.WITHDRAWN}),
                icon="bi-building-check",
                order=10,
            )
        )
