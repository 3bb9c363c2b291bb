"""The hall's clock as the allocation and the estimates see it."""
from __future__ import annotations

from datetime import datetime


def seconds_of_day(moment: datetime) -> float:
    """Seconds after midnight of the moment's own (hall-local) day."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
