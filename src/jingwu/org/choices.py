from jingwu.core.i18n import choices
from jingwu.engine import vocab

UNIT_KIND_CHOICES = choices(vocab.UNIT_KINDS)
STATION_TYPE_CHOICES = choices(vocab.STATION_TYPES)


class UnitKind:
    HEADQUARTERS = "headquarters"
    INVESTIGATION_CENTER = "investigation_center"
    PREVENTION_CENTER = "prevention_center"
    DEPARTMENT = "department"
    SQUAD = "squad"
    STATION = "station"
    ZONE = "zone"
    GRID = "grid"


class StationType:
    FULL_SPECTRUM = "full_spectrum"
    PROACTIVE = "proactive"
    PREVENTIVE = "preventive"


# Which kinds may sit directly under which parent kinds.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    UnitKind.HEADQUARTERS: (None,),
    UnitKind.INVESTIGATION_CENTER: (UnitKind.HEADQUARTERS,),
    UnitKind.PREVENTION_CENTER: (UnitKind.HEADQUARTERS,),
    UnitKind.DEPARTMENT: (UnitKind.HEADQUARTERS,),
    UnitKind.SQUAD: (
        UnitKind.INVESTIGATION_CENTER,
        UnitKind.PREVENTION_CENTER,
        UnitKind.DEPARTMENT,
        UnitKind.STATION,
    ),
    UnitKind.STATION: (UnitKind.HEADQUARTERS,),
    UnitKind.ZONE: (UnitKind.STATION,),
    UnitKind.GRID: (UnitKind.ZONE, UnitKind.STATION),
}
