"""People as the registry takes them: distinct, valid ID numbers for the whole run."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from fangkong.core.ids import make_id_number
from fangkong.people.schemas import PersonIn

LINYI, YANHU = "140821", "140802"
# Distinct ID numbers for the whole session: 449 odd sequence codes a birth day, then the
# next day.
_seq = itertools.count()


def make_person(
    name: str = "测试某", county: str = LINYI, born: date = date(1980, 5, 1)
) -> PersonIn:
    address = "临猗县猗氏镇某小区" if county == LINYI else "盐湖区某街道"
    k = next(_seq)
    born = born + timedelta(days=k // 449)
    return PersonIn(
        name=name, id_number=make_id_number(county, born, 101 + 2 * (k % 449)), address=address
    )
