"""Discharge by the plan in force: the 9th edition's two tests ≥ 24 h apart, each negative or
with N and ORF1ab Ct ≥ 35; the 8th's two negative tests with symptoms resolved; what is
missing said by name; the health monitoring that follows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fangkong.protocol.loader import get_protocol
from fangkong.treatment.discharge import PcrTest, discharge_verdict
from tests.builders.moments import at

NINTH = get_protocol("cn-9").treatment.discharge
EIGHTH = get_protocol("cn-8").treatment.discharge


def test_the_ninth_edition_takes_two_tests_with_both_cts_at_35_a_day_apart() -> None:
    tests = [
        PcrTest(at(14, 8), negative=False, n_ct=36.1, orf1ab_ct=35.2),
        PcrTest(at(15, 9), negative=True),
    ]
    verdict = discharge_verdict(NINTH, tests, symptoms_resolved=False, at=at(15, 20))
    assert verdict.met and verdict.qualifying == tests
    assert verdict.monitoring_until == at(15, 20) + timedelta(days=7)
    assert NINTH.monitoring == "home_monitoring"


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (PcrTest(at(15, 9), negative=False, n_ct=36.0, orf1ab_ct=34.9), "ORF1ab"),  # one gene low
        (PcrTest(at(15, 7), negative=True), "2022-03-15 08:00"),  # 23 h after the first
        (PcrTest(at(15, 9), negative=False, n_ct=None, orf1ab_ct=38.0), "Ct"),  # a gene missing
    ],
)
def test_a_ninth_edition_discharge_refused_names_the_missing_test(
    second: PcrTest, why: str
) -> None:
    first = PcrTest(at(14, 8), negative=False, n_ct=37.0, orf1ab_ct=36.0)
    verdict = discharge_verdict(NINTH, [first, second], symptoms_resolved=True, at=at(16, 8))
    assert not verdict.met and verdict.monitoring_until is None
    assert why in verdict.missing[0], verdict.missing


def test_a_later_positive_starts_the_count_again() -> None:
    tests = [
        PcrTest(at(12, 8), negative=True),
        PcrTest(at(13, 9), negative=True),
        PcrTest(at(14, 9), negative=False, n_ct=28.0, orf1ab_ct=29.5),
        PcrTest(at(15, 10), negative=True),
    ]
    verdict = discharge_verdict(NINTH, tests, symptoms_resolved=True, at=at(15, 12))
    assert not verdict.met
    assert "1" in verdict.missing[0] and "2022-03-16 10:00" in verdict.missing[0]
    # As of the 13th, before the positive, the first two had met it.
    assert discharge_verdict(NINTH, tests, symptoms_resolved=True, at=at(13, 12)).met


def test_the_eighth_edition_needs_negatives_and_symptoms_resolved() -> None:
    tests = [
        PcrTest(at(14, 8), negative=False, n_ct=36.0, orf1ab_ct=36.0),  # Ct ≥ 35 is not enough
        PcrTest(at(15, 9), negative=True),
        PcrTest(at(16, 10), negative=True),
    ]
    ill = discharge_verdict(EIGHTH, tests, symptoms_resolved=False, at=at(16, 12))
    assert not ill.met and len(ill.missing) == 1  # the tests are there; the symptoms are not
    well = discharge_verdict(EIGHTH, tests, symptoms_resolved=True, at=at(16, 12))
    assert well.met and well.qualifying == tests[1:]
    assert well.monitoring_until == at(16, 12) + timedelta(days=14)
    only_ct = discharge_verdict(EIGHTH, tests[:1], symptoms_resolved=True, at=at(16, 12))
    assert not only_ct.met and "Ct" not in only_ct.missing[0]


def test_tests_after_the_moment_do_not_count() -> None:
    tests = [PcrTest(at(14, 8), negative=True), PcrTest(at(15, 9), negative=True)]
    assert not discharge_verdict(NINTH, tests, symptoms_resolved=True, at=at(15, 8)).met
