"""Kinds and statuses of the patent corpus, each with a translated label (and badge colour)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatentType(models.TextChoices):
    """The three Chinese patent types (专利法 第二条)."""

    INVENTION = "invention", _("Invention")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")

    @property
    def badge(self) -> str:
        return {"invention": "primary", "utility_model": "info", "design": "warning"}[self.value]


class LegalStatus(models.TextChoices):
    """Legal status, normalised from the databases' wording (有权-审定授权, 审中-实质审查 …)."""

    PENDING = "pending", _("Pending")  # 审中: published, under (substantive) examination
    GRANTED = "granted", _("Granted")  # 有权: in force
    LAPSED = "lapsed", _("Lapsed")  # 无权-未缴年费 (专利法 第四十四条)
    EXPIRED = "expired", _("Expired")  # 无权-期限届满 (专利法 第四十二条)
    INVALIDATED = "invalidated", _("Invalidated")  # 无权-全部无效 (专利法 第四十五条)
    WITHDRAWN = "withdrawn", _("Withdrawn")  # 视为撤回 / 撤回 / 放弃
    REJECTED = "rejected", _("Rejected")  # 驳回 (专利法 第三十八条)
    UNKNOWN = "unknown", _("Unknown")

    @property
    def badge(self) -> str:
        return {
            "pending": "warning", "granted": "success", "lapsed": "secondary", "expired": "secondary",
            "invalidated": "danger", "withdrawn": "secondary", "rejected": "danger", "unknown": "light",
        }[self.value]

    @property
    def is_alive(self) -> bool:
        return self in (LegalStatus.PENDING, LegalStatus.GRANTED)


class ApplicantType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    INDIVIDUAL = "individual", _("Individual")
    GOVERNMENT = "government", _("Government body")
    OTHER = "other", _("Other")


class IpcLevel(models.TextChoices):
    SECTION = "section", _("Section")
    CLASS = "class", _("Class")
    SUBCLASS = "subclass", _("Subclass")
    MAIN_GROUP = "main_group", _("Main group")
    SUBGROUP = "subgroup", _("Subgroup")


class ImportFormat(models.TextChoices):
    AUTO = "auto", _("Detect from the file")
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (.xlsx)")
    JSONL = "jsonl", _("JSON lines (platform format)")
