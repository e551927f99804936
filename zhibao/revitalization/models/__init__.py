from .config import GradingConfig, KeyIndustry
from .demand import Demand, Match
from .inventory import Inventory, InventoryItem
from .market import Deal, OpenLicence, OpenLicenceGrant, Operation, Roadshow, RoadshowRegistration
from .pool import ContactRequest, MarketEvaluation, PoolPatent, PoolPatentQuerySet

__all__ = [
    "ContactRequest", "Deal", "Demand", "GradingConfig", "Inventory", "InventoryItem", "KeyIndustry",
    "MarketEvaluation", "Match", "OpenLicence", "OpenLicenceGrant", "Operation", "PoolPatent", "PoolPatentQuerySet",
    "Roadshow", "RoadshowRegistration",
]
