"""A quasi-Poisson GLM with a log link fitted as R's `glm.fit` fits it (iteratively reweighted
least squares from mu = y + 0.1, converged when the deviance changes by less than 1e-8 of
itself), with what `summary.glm`, `predict.glm` and `hatvalues` give from it, so that
Farrington-flexible's thresholds can be checked against R's to the last digits."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import stdtr

EPSILON = 1e-8
MAXIT = 25


class Fit(NamedTuple):
    beta: np.ndarray
    mu: np.ndarray  # fitted means
    unscaled: np.ndarray  # (X'WX)^-1 with the final iteration's working weights
    hat: np.ndarray  # the hat matrix's diagonal
    dispersion: float  # Pearson's, as summary.glm estimates it
    df_residual: int
    converged: bool

    def coefficient_p(self, column: int) -> float:
        """The two-sided t-test p-value summary.glm gives a quasi family's coefficient."""
        se = float(np.sqrt(self.dispersion * self.unscaled[column, column]))
        return float(2 * stdtr(self.df_residual, -abs(self.beta[column]) / se))

    def predict_link(self, x0: np.ndarray) -> tuple[float, float]:
        """eta and its standard error at a new row (predict.glm, type "link", se.fit)."""
        eta = float(x0 @ self.beta)
        return eta, float(np.sqrt(self.dispersion * (x0 @ self.unscaled @ x0)))


def _deviance(y: np.ndarray, mu: np.ndarray, prior: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(np.sum(2 * prior * (term - (y - mu))))


def quasipoisson(x: np.ndarray, y: np.ndarray, prior: np.ndarray | None = None) -> Fit:
    prior = np.ones_like(y, dtype=float) if prior is None else prior
    mu = y + 0.1
    eta = np.log(mu)
    deviance, converged = _deviance(y, mu, prior), False
    for _ in range(MAXIT):
        working = prior * mu  # w^2 of glm.fit: weights * mu.eta^2 / variance
        z = eta + (y - mu) / mu
        root = np.sqrt(working)
        beta = np.linalg.lstsq(x * root[:, None], z * root, rcond=None)[0]
        eta = x @ beta
        mu = np.exp(eta)
        before, deviance = deviance, _deviance(y, mu, prior)
        if abs(deviance - before) / (abs(deviance) + 0.1) < EPSILON:
            converged = True
            break
    weighted = x * np.sqrt(working)[:, None]
    unscaled = np.linalg.inv(weighted.T @ weighted)
    hat = np.einsum("ij,jk,ik->i", weighted, unscaled, weighted)
    df = len(y) - x.shape[1]
    dispersion = float(np.sum(working * ((y - mu) / mu) ** 2) / df) if df > 0 else np.nan
    return Fit(beta, mu, unscaled, hat, dispersion, df, converged)


def anscombe_residuals(fit: Fit, y: np.ndarray, phi: float) -> np.ndarray:
    """R's surveillance:::anscombe.residuals: Poisson Anscombe residuals scaled by
    sqrt(phi (1 - h))."""
    mu = fit.mu
    a = 1.5 * (y ** (2 / 3) * mu ** (-1 / 6) - mu**0.5)
    return np.asarray(a / np.sqrt(phi * (1 - fit.hat)))
