"""Kinds and statuses of the patent corpus, each with a translated label (and badge colour)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PatentType(models.TextChoices):
    """The three Chinese patent types (专利法 第二条)."""

    INVENTION = "invention", pgettext_lazy("patent type", "Invention")
    UTILITY_MODEL = "utility_model", pgettext_lazy("patent type", "Utility model")
    DESIGN = "design", pgettext_lazy("patent type", "Design")

    @property
    def badge(self) -> str:
        return {"invention": "primary", "utility_model": "info", "design": "warning"}[self.value]


class LegalStatus(models.TextChoices):
    """Legal status, normalised from the databases' wording (有权-审定授权, 审中-实质审查 …)."""

    PENDING = "pending", pgettext_lazy("legal status", "Pending")  # 审中: published, under (substantive) examination
    GRANTED = "granted", pgettext_lazy("legal status", "Granted")  # 有权: in force
    LAPSED = "lapsed", pgettext_lazy("legal status", "Lapsed")  # 无权-未缴年费 (专利法 第四十四条)
    EXPIRED = "expired", pgettext_lazy("legal status", "Expired")  # 无权-期限届满 (专利法 第四十二条)
    INVALIDATED = "invalidated", pgettext_lazy("legal status", "Invalidated")  # 无权-全部无效 (专利法 第四十五条)
    WITHDRAWN = "withdrawn", pgettext_lazy("legal status", "Withdrawn")  # 视为撤回 / 撤回 / 放弃
    REJECTED = "rejected", pgettext_lazy("legal status", "Rejected")  # 驳回 (专利法 第三十八条)
    UNKNOWN = "unknown", pgettext_lazy("legal status", "Unknown")

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
    SECTION = "section", pgettext_lazy("IPC level", "Section")
    CLASS = "class", pgettext_lazy("IPC level", "Class")
    SUBCLASS = "subclass", pgettext_lazy("IPC level", "Subclass")
    MAIN_GROUP = "main_group", pgettext_lazy("IPC level", "Main group")
    SUBGROUP = "subgroup", pgettext_lazy("IPC level", "Subgroup")


class ImportFormat(models.TextChoices):
    AUTO = "auto", _("Detect from the file")
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (.xlsx)")
    JSONL = "jsonl", _("JSON lines (platform format)")
