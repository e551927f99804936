from .collection import Collection
from .importing import ImportPreset
from .ipc import IpcCode
from .patent import Patent

__all__ = ["Collection", "ImportPreset", "IpcCode", "Patent"]
