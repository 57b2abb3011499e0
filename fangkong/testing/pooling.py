"""Pool-size advice (混采): Dorfman two-stage pooling with a dilution-aware sensitivity.

A pool of k tubes is tested once; if positive, each of its k people is retested singly.
Expected tests per person  E(k) = 1/k + P(pool positive), with
P(pool positive) = Se(k)·(1 − (1 − p)^k) + (1 − Sp)·(1 − p)^k, where pooling dilutes each
sample k-fold and costs `dilution_loss` sensitivity per doubling: Se(k) = Se·(1 − loss·log2 k).
A case is found when the pool and the single retest both catch it: Se(k)·Se.
The advice is the k with the fewest expected tests per case found (tests per person divided
by the share of cases found: a pool that saves tests by missing cases saves nothing) among
those finding at least `min_sensitivity` of cases (k = 1, single tubes, is always allowed).
With a perfect assay this is Dorfman's optimum.

The defaults (single-tube sensitivity 0.95, specificity 0.999, one point of sensitivity lost
per doubling, at least 85 % of cases found) are assumptions to be set from the assay in use;
no national figure is given in shared/domain.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PoolOption:
    size: int
    tests_per_person: float
    sensitivity: float  # share of infected people the scheme finds


@dataclass(frozen=True)
class PoolAdvice:
    prevalence: float
    recommended: PoolOption
    options: list[PoolOption]


def pool_option(
    size: int, *, prevalence: float, sensitivity: float, specificity: float, dilution_loss: float
) -> PoolOption:
    """Expected tests per person and case-finding sensitivity for pools of `size`.

    Args:
        size: tubes per pool (1 = single tubes).
        prevalence: share of people infected, 0 < p < 1.
        sensitivity: single-tube sensitivity of the assay.
        specificity: single-tube specificity.
        dilution_loss: sensitivity lost per two-fold dilution (0.02 = 2 points a doubling).
    """
    if size == 1:
        return PoolOption(1, 1.0, sensitivity)
    pooled = max(0.0, sensitivity * (1 - dilution_loss * math.log2(size)))
    clean = (1 - prevalence) ** size
    positive = pooled * (1 - clean) + (1 - specificity) * clean
    return PoolOption(size, 1 / size + positive, pooled * sensitivity)


def advise_pool_size(
    prevalence: float,
    *,
    sensitivity: float = 0.95,
    specificity: float = 0.999,
    dilution_loss: float = 0.01,
    min_sensitivity: float = 0.85,
    sizes: range = range(1, 51),
) -> PoolAdvice:
    """The pool size with the fewest expected tests per person that still finds at least
    `min_sensitivity` of infected people; all sizes considered are listed too."""
    if not 0 < prevalence < 1:
        raise ValueError("prevalence must lie strictly between 0 and 1")
    for name, value in (("sensitivity", sensitivity), ("specificity", specificity)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must lie in (0, 1]")
    if not 0 <= dilution_loss < 1:
        raise ValueError("dilution_loss must lie in [0, 1)")
    options = [
        pool_option(
            k,
            prevalence=prevalence,
            sensitivity=sensitivity,
            specificity=specificity,
            dilution_loss=dilution_loss,
        )
        for k in sizes
    ]
    allowed = [o for o in options if o.size == 1 or o.sensitivity >= min_sensitivity]

    def per_case(o: PoolOption) -> float:
        return o.tests_per_person / o.sensitivity if o.sensitivity > 0 else math.inf

    best = min(allowed, key=lambda o: (per_case(o), o.size))
    return PoolAdvice(prevalence=prevalence, recommended=best, options=options)
