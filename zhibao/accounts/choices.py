from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    AGENCY = "agency", _("Patent agency")
    GOVERNMENT = "government", _("Government body")
    INDIVIDUAL = "individual", _("Individual")


class OrganizationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Verification pending")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")

    @property
    def badge(self) -> str:
        return {"unverified": "secondary", "pending": "warning", "verified": "success", "rejected": "danger"}[self.value]


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class VerificationState(models.TextChoices):
    """States of an organization-verification case (service ORG)."""

    SUBMITTED = "submitted", _("Submitted")  # waiting for a workstation clerk to take it
    IN_REVIEW = "in_review", _("In review")  # a clerk is checking licence and details
    RETURNED = "returned", _("Returned for correction")  # the applicant must fix and resubmit
    VERIFIED = "verified", _("Verified")  # closed: the organization may use every service
    REJECTED = "rejected", _("Rejected")  # closed, with the reason
    WITHDRAWN = "withdrawn", _("Withdrawn")  # closed by the applicant

    @property
    def badge(self) -> str:
        return {
            "submitted": "info", "in_review": "primary", "returned": "warning",
            "verified": "success", "rejected": "danger", "withdrawn": "secondary",
        }[self.value]
