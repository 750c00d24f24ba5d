"""Properties on random convex quadratics f(x) = 0.5 x^T A x - b^T x, checked with hypothesis.

A = Q diag(lam) Q^T with eigenvalues lam in [0.5, 5] and a random rotation Q, so mu >= 0.5, L <= 5 and the
condition number is at most 10. The solution is x* = A^{-1} b. Every run goes through course_lib.descend.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course_lib as cl
from course_lib.optimizers import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop

SETTINGS = settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


class Quadratic:
    def __init__(self, eigenvalues, rotation_seed, b, offset):
        dim = len(eigenvalues)
        q, r = np.linalg.qr(np.random.default_rng(rotation_seed).normal(size=(dim, dim)))
        self.Q = q * np.sign(np.diag(r))  # a proper random orthogonal matrix
        self.eigenvalues = np.array(eigenvalues)
        A = self.Q @ np.diag(self.eigenvalues) @ self.Q.T
        self.A = (A + A.T) / 2
        self.b = np.array(b)
        self.solution = np.linalg.solve(self.A, self.b)
        self.offset = np.array(offset)
        self.L = float(self.eigenvalues.max())
        self.top = self.Q[:, int(np.argmax(self.eigenvalues))]
        symbols = sp.symbols(f"x0:{dim}")
        x = sp.Matrix(symbols)
        expr = sp.Rational(1, 2) * (x.T * sp.Matrix(self.A) * x)[0] - (sp.Matrix(self.b).T * x)[0]
        self.objective = cl.objective(expr, variables=symbols)

    @property
    def x0(self):
        return self.solution + self.offset


@st.composite
def quadratics(draw):
    dim = draw(st.integers(2, 4))
    eigenvalues = draw(st.lists(st.floats(0.5, 5.0), min_size=dim, max_size=dim))
    rotation_seed = draw(st.integers(0, 2**32 - 1))
    b = draw(st.lists(st.floats(-3.0, 3.0), min_size=dim, max_size=dim))
    offset = draw(st.lists(st.floats(-2.0, 2.0), min_size=dim, max_size=dim))
    return Quadratic(eigenvalues, rotation_seed, b, offset)


# ------------------------------------------------------------------------------------------------------------
# Convergence
# ------------------------------------------------------------------------------------------------------------
#
# Tolerances.
# - Gradient descent with lr = 1/L contracts the error by |1 - lam/L| <= 1 - mu/L <= 0.9 per step; after 300
#   steps from a distance of at most 2*sqrt(4) = 4 the error bound is 4 * 0.9**300 ~ 8e-14. Tolerance 1e-8.
# - Heavy-ball and Nesterov momentum 0.9 with lr = 0.5/L: every lr*lam lies in [0.05, 0.5], inside the
#   interval [(1 - sqrt(0.9))**2, (1 + sqrt(0.9))**2] where the heavy-ball error shrinks like
#   sqrt(0.9)**t = 0.949**t (times a factor polynomial in t); 800 steps give ~ 1e-18 before that factor.
#   Tolerance 1e-8.
# - Adagrad (lr = 0.5): once the gradient decays geometrically its accumulated sum stops growing, so the tail
#   is gradient descent with a fixed diagonal scaling and converges linearly; if a coordinate overshoots, its
#   larger gradient enlarges the sum and shrinks that step. Tolerance 1e-6 after 2000 steps.
# - Adadelta (rho, eps standard; lr = 1/L): near x* the gradient is far below sqrt(eps) and the rule becomes
#   gradient descent with step lr * sqrt((u + eps) / (v + eps)) -> lr, so lr must obey the same lr < 2/L as
#   plain gradient descent (the default lr = 1 does not, for L > 2). Its first steps are tiny (about
#   lr*sqrt(eps)), so it gets 5000 steps. Tolerance 1e-6.
# - RMSprop, Adam, AdamW with a constant lr divide the step by a running RMS of the gradient: each coordinate
#   moves by up to about lr per step however small the gradient is, so they settle in a band of width of order
#   lr around x* instead of converging to it. "Converges" for them: within 2*lr*sqrt(dim) of x* (a distance
#   the normalized step can cover in about two steps), starting from up to 4 away.

CONVERGENT = [
    pytest.param(lambda q: SGD(lr=1 / q.L), 300, lambda q: 1e-8, id="SGD"),
    pytest.param(lambda q: SGD(lr=0.5 / q.L, momentum=0.9), 800, lambda q: 1e-8, id="SGD-momentum"),
    pytest.param(lambda q: SGD(lr=0.5 / q.L, momentum=0.9, nesterov=True), 800, lambda q: 1e-8, id="SGD-nesterov"),
    pytest.param(lambda q: Adagrad(lr=0.5), 2000, lambda q: 1e-6, id="Adagrad"),
    pytest.param(lambda q: Adadelta(lr=1 / q.L), 5000, lambda q: 1e-6, id="Adadelta"),
    pytest.param(lambda q: RMSprop(lr=1e-2), 2000, lambda q: 2e-2 * math.sqrt(len(q.b)), id="RMSprop"),
    pytest.param(lambda q: Adam(lr=1e-2), 2000, lambda q: 2e-2 * math.sqrt(len(q.b)), id="Adam"),
    # AdamW's decoupled decay moves its resting point off x* (by up to about weight_decay * |x*| / mu); with
    # the default weight_decay = 1e-2 and |x*| up to ~10 that shift can exceed the band, so use 1e-3 here.
    pytest.param(lambda q: AdamW(lr=1e-2, weight_decay=1e-3), 2000, lambda q: 2e-2 * math.sqrt(len(q.b)), id="AdamW"),
]


@pytest.mark.parametrize(("make", "steps", "tolerance"), CONVERGENT)
@SETTINGS
@given(q=quadratics())
def test_converges_on_random_convex_quadratic(make, steps, tolerance, q):
    path = cl.descend(q.objective, make(q), q.x0, steps)
    assert not path.diverged
    start = np.linalg.norm(path.xs[0] - q.solution)
    end = np.linalg.norm(path.xs[-1] - q.solution)
    assert end < tolerance(q), f"distance {start:.3g} -> {end:.3g}"
    f_star = q.objective.value(q.solution)
    assert path.values[-1] - f_star < 0.5 * q.L * tolerance(q) ** 2 + 1e-12


@SETTINGS
@given(q=quadratics(), weight_decay=st.floats(0.05, 1.0))
def test_l2_weight_decay_converges_to_the_regularized_solution(q, weight_decay):
    """SGD's and Adam's weight_decay add wd*x to g: the fixed point solves (A + wd I) x = b."""
    regularized = np.linalg.solve(q.A + weight_decay * np.eye(len(q.b)), q.b)
    path = cl.descend(q.objective, SGD(lr=1 / (q.L + weight_decay), weight_decay=weight_decay), q.x0, 400)
    assert np.linalg.norm(path.xs[-1] - regularized) < 1e-8
    path = cl.descend(q.objective, Adam(lr=1e-2, weight_decay=weight_decay), q.x0, 2000)
    assert np.linalg.norm(path.xs[-1] - regularized) < 2e-2 * math.sqrt(len(q.b))


@SETTINGS
@given(q=quadratics(), factor=st.floats(0.1, 1.9))
def test_stable_gradient_descent_never_increases_the_distance(q, factor):
    """With lr < 2/L every |1 - lr*lam| < 1, so the distance to x* cannot grow and nothing is flagged."""
    path = cl.descend(q.objective, SGD(lr=factor / q.L), q.x0, 100)
    assert not path.diverged and path.diverged_at == -1
    distance = np.linalg.norm(path.xs - q.solution, axis=-1)
    assert np.all(np.diff(distance) <= 1e-12 * (1 + distance[:-1]))


# ------------------------------------------------------------------------------------------------------------
# Divergence
# ------------------------------------------------------------------------------------------------------------


@SETTINGS
@given(q=quadratics(), factor=st.floats(2.5, 10.0), along_top=st.floats(0.5, 2.0), sign=st.sampled_from([-1, 1]))
def test_gradient_descent_with_lr_above_two_over_L_diverges(q, factor, along_top, sign):
    """lr = factor/L, factor in [2.5, 10]: the top eigen-direction grows by |1 - factor| >= 1.5 per step."""
    x0 = q.solution + sign * along_top * q.top + 0.3 * (q.offset - (q.offset @ q.top) * q.top)
    lr = factor / q.L
    bound = 1e6
    # A step count by which divergence is certain: the error is at least along_top * |1 - lr L|**t, and
    # max|x_t| > limit once that exceeds sqrt(dim) * limit + |x*| (the norm bound on max|x|).
    limit = bound * (1 + np.abs(x0).max())
    needed = (math.sqrt(len(x0)) * limit + np.linalg.norm(q.solution)) / along_top
    certain = math.ceil(math.log(needed) / math.log(abs(1 - factor)))
    path = cl.descend(q.objective, SGD(lr=lr), x0, certain + 5, bound=bound)
    assert bool(path.diverged)
    assert 0 < int(path.diverged_at) <= certain
    at = int(path.diverged_at)
    assert np.all(np.isfinite(path.xs)) and np.all(np.isfinite(path.values))
    np.testing.assert_array_equal(path.xs[at:], np.broadcast_to(path.xs[at], path.xs[at:].shape))
    # before the flag, the iterates are exactly gradient descent's
    x = x0
    for k in range(1, at):
        x = x - lr * (q.A @ x - q.b)
        np.testing.assert_allclose(path.xs[k], x, rtol=1e-9, atol=1e-9)
