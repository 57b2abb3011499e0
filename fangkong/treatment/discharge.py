"""Whether a patient meets the protocol's discharge criteria, and if not, what is missing: a
pure function of the plan's rule and the patient's PCR tests (the treatment domain's wards,
admissions and discharges build on it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from fangkong.core.i18n import _
from fangkong.core.timeutil import fmt_local
from fangkong.protocol.models import DischargeRule


class PcrTest(NamedTuple):
    """A patient's PCR test: when sampled, its result and the two genes' Ct values (None
    where not amplified or not reported)."""

    sampled_at: datetime
    negative: bool
    n_ct: float | None = None
    orf1ab_ct: float | None = None


@dataclass(frozen=True)
class DischargeVerdict:
    met: bool
    missing: list[str] = field(default_factory=list)
    # The tests that met the rule, oldest first, when it is met.
    qualifying: list[PcrTest] = field(default_factory=list)
    monitoring_until: datetime | None = None


def qualifies(rule: DischargeRule, test: PcrTest) -> bool:
    """Negative, or both genes' Ct at or above the plan's threshold where it has one."""
    if test.negative:
        return True
    if rule.ct_at_least is None or test.n_ct is None or test.orf1ab_ct is None:
        return False
    return test.n_ct >= rule.ct_at_least and test.orf1ab_ct >= rule.ct_at_least


def _run(rule: DischargeRule, tests: Sequence[PcrTest]) -> list[PcrTest]:
    """The latest run of qualifying tests, each far enough after the one counted before it
    (a test too soon after the last counted one neither counts nor breaks the run)."""
    run: list[PcrTest] = []
    for test in sorted(tests, key=lambda t: t.sampled_at):
        if not qualifies(rule, test):
            run = []
        elif not run or test.sampled_at - run[-1].sampled_at >= timedelta(hours=rule.hours_apart):
            run.append(test)
    return run[-rule.tests :]


def discharge_verdict(
    rule: DischargeRule,
    tests: Sequence[PcrTest],
    *,
    symptoms_resolved: bool,
    at: datetime,
) -> DischargeVerdict:
    """Whether the criteria are met at `at` (tests sampled after it do not count), naming
    what is missing: how many more tests and from when, or the symptoms."""
    run = _run(rule, [t for t in tests if t.sampled_at <= at])
    missing: list[str] = []
    if len(run) < rule.tests:
        earliest = run[-1].sampled_at + timedelta(hours=rule.hours_apart) if run else None
        missing.append(_missing_tests(rule, rule.tests - len(run), earliest))
    if rule.symptoms_resolved and not symptoms_resolved:
        missing.append(_("symptoms not yet resolved"))
    if missing:
        return DischargeVerdict(False, missing)
    return DischargeVerdict(True, [], run, at + timedelta(days=rule.monitoring_days))


def _missing_tests(rule: DischargeRule, more: int, earliest: datetime | None) -> str:
    what = (
        _("negative or with N and ORF1ab Ct ≥ %(ct)s", ct=f"{rule.ct_at_least:g}")
        if rule.ct_at_least is not None
        else _("negative")
    )
    if earliest is None:
        return _("%(more)s more consecutive PCR tests %(what)s, %(hours)s h apart",
                 more=more, what=what, hours=rule.hours_apart)  # fmt: skip
    return _("%(more)s more PCR test(s) %(what)s, sampled from %(from)s",
             more=more, what=what, **{"from": fmt_local(earliest)})  # fmt: skip
