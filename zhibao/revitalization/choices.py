"""States and kinds of stock-patent revitalization (存量专利盘活), each with a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhibao.core.choices import BadgedChoices


class InventoryState(BadgedChoices):
    """盘点: an institution's list of its patents, reviewed line by line, then by the center."""

    OPEN = "open", pgettext_lazy("inventory state", "Being reviewed by the institution")
    SUBMITTED = "submitted", pgettext_lazy("inventory state", "Submitted to the center")
    IN_REVIEW = "in_review", pgettext_lazy("inventory state", "In review at the center")
    RETURNED = "returned", pgettext_lazy("inventory state", "Returned to the institution")
    COMPLETED = "completed", pgettext_lazy("inventory state", "Completed")  # its pooled lines are in the pool
    WITHDRAWN = "withdrawn", pgettext_lazy("inventory state", "Withdrawn")

    @classmethod
    def _badges(cls) -> dict:
        return {"open": "info", "submitted": "secondary", "in_review": "primary", "returned": "warning",
                "completed": "success", "withdrawn": "light"}


class ItemDecision(BadgedChoices):
    """入库 / 不入库 of one inventoried patent, by the institution and then by the center."""

    PENDING = "pending", pgettext_lazy("inventory decision", "Not decided")
    POOLED = "pooled", pgettext_lazy("inventory decision", "Into the pool")
    NOT_POOLED = "not_pooled", pgettext_lazy("inventory decision", "Not into the pool")

    @classmethod
    def _badges(cls) -> dict:
        return {"pending": "secondary", "pooled": "success", "not_pooled": "danger"}


class NotPooledReason(models.TextChoices):
    """Why a patent stays out of the convertible pool (the national plan's screening reasons)."""

    LAPSED = "lapsed", _("Lapsed or about to lapse")
    NO_MARKET = "no_market", _("No market prospect")
    ALREADY_EXPLOITED = "exploited", _("Already transferred, licensed or in use")
    CONFIDENTIAL = "confidential", _("Confidential or strategic to the institution")
    DEFENSIVE = "defensive", _("Kept for defence of the institution's own products")
    OTHER = "other", _("Other (explained)")


class Grade(BadgedChoices):
    """分级: the pool's grades, from the weighted score (thresholds in GradingConfig)."""

    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")
    D = "D", _("Grade D")

    @classmethod
    def _badges(cls) -> dict:
        return {"A": "success", "B": "primary", "C": "warning", "D": "secondary"}


class PoolStatus(BadgedChoices):
    LISTED = "listed", pgettext_lazy("pool status", "Listed")
    WITHDRAWN = "withdrawn", pgettext_lazy("pool status", "Withdrawn")  # by the holder, or the patent lapsed

    @classmethod
    def _badges(cls) -> dict:
        return {"listed": "success", "withdrawn": "light"}


class CooperationMode(models.TextChoices):
    """How a patent may change hands, or how an enterprise wants the technology."""

    ASSIGNMENT = "assignment", _("Assignment")  # 转让
    LICENCE = "licence", _("Licence")  # 许可
    JOINT_DEVELOPMENT = "joint", _("Joint development")  # 合作开发
    COMMISSIONED = "commissioned", _("Commissioned development")  # 委托开发
    CONSULTING = "consulting", _("Technical consulting or service")  # 技术咨询、技术服务


class DemandState(BadgedChoices):
    """技术需求: an enterprise's need, reviewed by the center before it is published."""

    SUBMITTED = "submitted", pgettext_lazy("demand state", "Waiting for review")
    RETURNED = "returned", pgettext_lazy("demand state", "Returned for correction")
    PUBLISHED = "published", pgettext_lazy("demand state", "Published")
    REJECTED = "rejected", pgettext_lazy("demand state", "Not published")
    CLOSED = "closed", pgettext_lazy("demand state", "Closed")  # met, given up, or past its deadline

    @classmethod
    def _badges(cls) -> dict:
        return {"submitted": "secondary", "returned": "warning", "published": "success", "rejected": "danger",
                "closed": "light"}


class MatchState(BadgedChoices):
    """A ranked demand–patent pair: suggested by the engine, pushed by an operator to both sides."""

    SUGGESTED = "suggested", pgettext_lazy("match state", "Suggested")
    PUSHED = "pushed", pgettext_lazy("match state", "Pushed to both sides")
    DISMISSED = "dismissed", pgettext_lazy("match state", "Dismissed by the operator")

    @classmethod
    def _badges(cls) -> dict:
        return {"suggested": "secondary", "pushed": "primary", "dismissed": "light"}


class Answer(BadgedChoices):
    """One side's answer to a pushed match."""

    PENDING = "pending", pgettext_lazy("match answer", "No answer yet")
    INTERESTED = "interested", pgettext_lazy("match answer", "Interested")
    NOT_INTERESTED = "not_interested", pgettext_lazy("match answer", "Not interested")

    @classmethod
    def _badges(cls) -> dict:
        return {"pending": "secondary", "interested": "success", "not_interested": "danger"}


class RoadshowState(BadgedChoices):
    PLANNED = "planned", pgettext_lazy("roadshow state", "Planned")
    HELD = "held", pgettext_lazy("roadshow state", "Held")
    CANCELLED = "cancelled", pgettext_lazy("roadshow state", "Cancelled")

    @classmethod
    def _badges(cls) -> dict:
        return {"planned": "primary", "held": "success", "cancelled": "light"}


class DealKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assignment")  # 专利权转让 (专利法 第十条)
    LICENCE = "licence", _("Licence")  # 专利实施许可 (专利法 第十二条)
    OPEN_LICENCE = "open_licence", _("Open licence")  # 开放许可 (专利法 第五十条至第五十二条)


class DealState(BadgedChoices):
    """A deal from the first intent to the contract and its recordal at CNIPA."""

    INTENT = "intent", pgettext_lazy("deal state", "Intent")
    NEGOTIATION = "negotiation", pgettext_lazy("deal state", "In negotiation")
    CONTRACTED = "contracted", pgettext_lazy("deal state", "Contract signed")
    RECORDED = "recorded", pgettext_lazy("deal state", "Recorded at CNIPA")
    CANCELLED = "cancelled", pgettext_lazy("deal state", "Cancelled")

    @classmethod
    def _badges(cls) -> dict:
        return {"intent": "secondary", "negotiation": "primary", "contracted": "info", "recorded": "success",
                "cancelled": "light"}


class OpenLicenceState(BadgedChoices):
    """开放许可声明 (专利法 第五十条): declared by the holder, checked by the center, listed publicly."""

    SUBMITTED = "submitted", pgettext_lazy("open licence state", "Waiting for review")
    RETURNED = "returned", pgettext_lazy("open licence state", "Returned for correction")
    PUBLISHED = "published", pgettext_lazy("open licence state", "Published")
    WITHDRAWN = "withdrawn", pgettext_lazy("open licence state", "Withdrawn")  # 第五十条第二款: granted ones stay valid

    @classmethod
    def _badges(cls) -> dict:
        return {"submitted": "secondary", "returned": "warning", "published": "success", "withdrawn": "light"}


class FeeMethod(models.TextChoices):
    """How an open licence's fee is paid (专利开放许可使用费 — 国家知识产权局公告 of the standard terms)."""

    LUMP_SUM = "lump_sum", _("Lump sum")  # 一次性支付
    ROYALTY = "royalty", _("Royalty on sales")  # 提成支付: a percentage of the sales
    LUMP_SUM_AND_ROYALTY = "mixed", _("Down payment plus royalty")  # 入门费加提成


class OperationKind(models.TextChoices):
    """What the platform counts of the marketplace's use (the seeds' "1.16 million operations")."""

    SEARCH = "search", _("Search")
    VIEW = "view", _("View")
    CONTACT = "contact", _("Contact")
    EVALUATION = "evaluation", _("Market evaluation")
    INTEREST = "interest", _("Interest")
    INTENT = "intent", _("Intent")
    DEAL = "deal", _("Deal")
    LICENCE_TAKEN = "licence_taken", _("Open licence taken")


INVENTORY_CLOSED_STATES = (InventoryState.COMPLETED, InventoryState.WITHDRAWN)
DEMAND_CLOSED_STATES = (DemandState.REJECTED, DemandState.CLOSED)
DEAL_CLOSED_STATES = (DealState.RECORDED, DealState.CANCELLED)
OPEN_LICENCE_CLOSED_STATES = (OpenLicenceState.WITHDRAWN,)
