from .attachment import Attachment
from .calendar import CalendarDay, CalendarYear
from .case import Case, CaseEvent, CaseSequence
from .industry import Industry
from .job import Job, WorkerHeartbeat
from .notification import Notification
from .region import Region, RegionMap
from .security import SecurityEvent, SecurityEventKind

__all__ = [
    "Attachment",
    "SecurityEvent",
    "SecurityEventKind",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseSequence",
    "Industry",
    "Job",
    "Notification",
    "Region",
    "RegionMap",
    "WorkerHeartbeat",
]
