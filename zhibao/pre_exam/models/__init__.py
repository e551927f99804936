from .case import CorrectionNotice, Opinion, PreExamCase
from .config import AbnormalFilingRecord, FormalCheckItem, NoticeTemplate, PreExamConfig, TechnicalField
from .filing import Filing
from .priority import PriorityRequest

__all__ = [
    "AbnormalFilingRecord", "CorrectionNotice", "Filing", "FormalCheckItem", "NoticeTemplate", "Opinion",
    "PreExamCase", "PreExamConfig", "PriorityRequest", "TechnicalField",
]
