"""Every table of every domain, imported in one place so the metadata is complete."""

from fangkong.command.models import (
    Disinfection,
    EnvironmentSample,
    GroupMember,
    Investigation,
    Place,
    PlaceVisit,
    Shift,
    Task,
    TaskEvent,
    Team,
    TeamMember,
    WorkingGroup,
)
from fangkong.core.audit import AuditEntry, AuditHead
from fangkong.core.db import Base
from fangkong.healthcode.models import (
    Appeal,
    CodeState,
    CodeToken,
    Scan,
    Scanner,
    ScanRefusals,
)
from fangkong.people.models import Person, PersonMerge
from fangkong.quarantine.models import Room, Site, Stay, Swab, Transfer, Vehicle
from fangkong.testing.models import (
    Lab,
    LabRoute,
    Recall,
    Sample,
    SamplingSite,
    ScreeningRound,
    Shipment,
    Tube,
)
from fangkong.tracing.models import (
    Contact,
    ImportBatch,
    Infection,
    ManagementOrder,
    OrderPhase,
    TrajectoryStop,
)
from fangkong.travel.models import Arrival, Checkpoint, RiskArea
from fangkong.users.models import LoginFailure, User, UserSession
from fangkong.zones.models import Zone, ZoneEvent, ZoneRound

__all__ = [
    "Disinfection",
    "EnvironmentSample",
    "GroupMember",
    "Investigation",
    "Place",
    "PlaceVisit",
    "Shift",
    "Task",
    "TaskEvent",
    "Team",
    "TeamMember",
    "WorkingGroup",
    "Appeal",
    "CodeState",
    "CodeToken",
    "Scan",
    "Scanner",
    "Arrival",
    "AuditEntry",
    "AuditHead",
    "LoginFailure",
    "ScanRefusals",
    "UserSession",
    "Base",
    "Checkpoint",
    "Contact",
    "ImportBatch",
    "Infection",
    "Lab",
    "LabRoute",
    "ManagementOrder",
    "OrderPhase",
    "Person",
    "PersonMerge",
    "Recall",
    "RiskArea",
    "Room",
    "Sample",
    "SamplingSite",
    "ScreeningRound",
    "Shipment",
    "Site",
    "Stay",
    "Swab",
    "TrajectoryStop",
    "Transfer",
    "Tube",
    "User",
    "Vehicle",
    "Zone",
    "ZoneEvent",
    "ZoneRound",
]
