r"""Why momentum accelerates: the heavy ball along one eigen-direction is a 2x2 linear map.

On a quadratic with curvature ``h`` along an eigen-direction, the heavy ball
x_{t+1} = x_t - lr h x_t + beta (x_t - x_{t-1}) maps (x_t, x_{t-1}) to (x_{t+1}, x_t) by

    M = [[1 + beta - lr h, -beta],
         [1,               0    ]],

whose eigenvalues are the roots of z^2 - (1 + beta - lr h) z + beta. The larger root modulus, the spectral
radius, is the factor by which that direction shrinks per step in the long run. The roots are complex (an
oscillation of modulus sqrt(beta)) when (1 + beta - lr h)^2 < 4 beta, and real otherwise; the boundary,
beta = (1 - sqrt(lr h))^2, is critical damping.

Taught in notebooks/06_momentum.ipynb. Polyak (1964); G. Goh, "Why Momentum Really Works", Distill (2017).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "iteration_matrix",
    "spectral_radius",
    "critical_momentum",
    "polyak_parameters",
    "worst_rate",
]


def _array(name, value, *, low=None, high=None, strict_low=False):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: every value must be finite")
    if low is not None and (np.any(arr <= low) if strict_low else np.any(arr < low)):
        raise ValueError(f"{name}: must be {'>' if strict_low else '>='} {low}, got {value!r}")
    if high is not None and np.any(arr > high):
        raise ValueError(f"{name}: must be <= {high}, got {value!r}")
    return arr


def iteration_matrix(lr, momentum, curvature):
    """The 2x2 map (x_t, x_{t-1}) -> (x_{t+1}, x_t) of the heavy ball on h x^2 / 2; shape ``(..., 2, 2)``.

    ``lr``, ``momentum`` and ``curvature`` broadcast against each other (a whole grid at once).
    """
    lr = _array("lr", lr, low=0)
    beta = _array("momentum", momentum, low=0, high=1)
    h = _array("curvature", curvature)
    lr, beta, h = np.broadcast_arrays(lr, beta, h)
    M = np.zeros((*lr.shape, 2, 2))
    M[..., 0, 0] = 1 + beta - lr * h
    M[..., 0, 1] = -beta
    M[..., 1, 0] = 1.0
    return M


def spectral_radius(lr, momentum, curvature):
    """max |z| over the roots of z^2 - (1 + beta - lr h) z + beta, the eigenvalues of :func:`iteration_matrix`.

    Computed from the quadratic formula for a whole broadcast grid in one call (no loop over points).
    """
    lr = _array("lr", lr, low=0)
    beta = _array("momentum", momentum, low=0, high=1)
    h = _array("curvature", curvature)
    A = 1 + beta - lr * h
    root = np.sqrt(A * A - 4 * beta + 0j)
    return np.maximum(np.abs((A + root) / 2), np.abs((A - root) / 2))


def critical_momentum(lr_h):
    """The momentum at which the two roots coincide (critical damping) for a given ``lr_h`` = lr * h in [0, 4].

    (1 + beta - a)^2 = 4 beta  <=>  beta = (1 - sqrt(a))^2. Below it the direction creeps (real roots, the
    larger one dominates); above it the direction oscillates with modulus sqrt(beta).
    """
    a = _array("lr_h", lr_h, low=0, high=4)
    return (1 - np.sqrt(a)) ** 2


def polyak_parameters(mu, L):
    """Polyak's heavy-ball parameters for curvatures in [mu, L]: ``(lr, momentum)``.

    Critically damped at both ends: sqrt(beta) = 1 - sqrt(lr mu) = sqrt(lr L) - 1, so
    lr = 4 / (sqrt(L) + sqrt(mu))^2 and beta = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2; every
    direction then shrinks by sqrt(beta) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per step, kappa = L / mu.
    """
    mu = float(_array("mu", mu, low=0, strict_low=True))
    L = float(_array("L", L, low=0, strict_low=True))
    if L < mu:
        raise ValueError(f"L: must be >= mu = {mu}, got {L}")
    lr = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    momentum = ((np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))) ** 2
    return float(lr), float(momentum)


def worst_rate(lr, momentum, mu, L, *, points=2001):
    """The largest spectral radius over curvatures h in [mu, L] (a grid of ``points`` values, ends included):
    the factor by which the slowest direction of a quadratic with those curvatures shrinks per step."""
    mu = float(_array("mu", mu, low=0, strict_low=True))
    L = float(_array("L", L, low=0, strict_low=True))
    if L < mu:
        raise ValueError(f"L: must be >= mu = {mu}, got {L}")
    if int(points) < 2:
        raise ValueError(f"points: need at least 2, got {points!r}")
    h = np.linspace(mu, L, int(points))
    lr = np.asarray(lr, dtype=np.float64)[..., None]
    beta = np.asarray(momentum, dtype=np.float64)[..., None]
    return spectral_radius(lr, beta, h).max(axis=-1)
