from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import Interval
from pydantic import BaseModel, field_serializer

from fangkong.core.timeutil import local

T = TypeVar("T")


class ReadModel(BaseModel):
    """What the API returns: every moment in the city's time, with its offset (+08:00)."""

    @field_serializer("*", when_used="json")
    def _city_time(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return local(value).isoformat()
        return value


class Page(ReadModel, Generic[T]):
    items: list[T]
    total: int


# A row id as the API accepts it: the range of a 32-bit PostgreSQL integer, so an absurd id is
# a 422 rather than a driver overflow.
RowId = Annotated[int, Interval(ge=1, le=2_147_483_647)]
