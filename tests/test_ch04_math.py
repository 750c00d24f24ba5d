"""Every formula and number that notebooks/04_linear_regression.ipynb states, checked independently.

The gradient formulas are derived with SymPy in the notebook; here they are re-checked with SymPy on other
problem sizes and numerically. The numbers (seed example, eigenvalues, step counts, angles, stall distances)
are recomputed from scratch.
"""

import math

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib import regression as R
from course_lib.optimizers import SGD

X, Y = R.seed_data()
XA = R.add_bias(X)
START = np.array([10.1, 15.1, -6.5])
BETA_STAR = np.array([1.0, 2.0, 3.0])


def symbolic_problem(n, d):
    Xs = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"X{i}{j}", real=True))
    ys = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    bs = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"b{j}", real=True))
    return Xs, ys, bs, ys - Xs * bs


@pytest.mark.parametrize("n, d", [(2, 2), (4, 3)])
def test_all_gradient_formulas_symbolically(n, d):
    Xs, ys, bs, r = symbolic_problem(n, d)
    sse = (r.T * r)[0]

    def grad(expr):
        return sp.Matrix([sp.diff(expr, b) for b in bs])

    claims = [
        (sse, -2 * Xs.T * r),
        (sse / 2, -Xs.T * r),
        (sse / n, -sp.Rational(2, n) * Xs.T * r),
        (sp.sqrt(sse / n), -(Xs.T * r) / (n * sp.sqrt(sse / n))),
        (sp.sqrt(sse), -(Xs.T * r) / sp.sqrt(sse)),
    ]
    # evaluate the differences at a random rational point (exact arithmetic, nonzero residual)
    rng = np.random.default_rng(n * 10 + d)
    symbols = list(Xs) + list(ys) + list(bs)
    values = rng.integers(-20, 20, len(symbols))
    point = {s: sp.Rational(int(v), 7) for s, v in zip(symbols, values, strict=True)}
    for loss, claimed in claims:
        difference = (grad(loss) - claimed).subs(point)
        assert all(sp.simplify(entry) == 0 for entry in difference)


def test_chain_rule_pieces_with_the_index_kept():
    """dA/dbeta_k = sum_i (2/n) B_i (-X_ik) and dRMSE/dbeta_k = dA/dbeta_k / (2 sqrt(A))."""
    n, d = 3, 2
    Xs, ys, bs, r = symbolic_problem(n, d)
    B = list(r)
    A = sum(Bi**2 for Bi in B) / n
    for k in range(d):
        chain = sum(sp.Rational(2, n) * B[i] * (-Xs[i, k]) for i in range(n))
        assert sp.expand(sp.diff(A, bs[k]) - chain) == 0
        assert sp.simplify(sp.diff(sp.sqrt(A), bs[k]) - chain / (2 * sp.sqrt(A))) == 0


def test_rmse_is_norm_over_sqrt_n_and_gradients_scale_alike():
    beta = np.array([0.3, -0.2, 1.0])
    assert R.residual_norm(XA, Y, beta) == pytest.approx(2 * R.rmse(XA, Y, beta))  # sqrt(4) = 2
    np.testing.assert_allclose(R.residual_norm_grad(XA, Y, beta), 2 * R.rmse_grad(XA, Y, beta))
    assert R.residual_norm(X, Y, [0.0, 0.0]) == pytest.approx(math.sqrt(302))


def test_sloppy_chain_rule_factor_vanishes_where_the_gradient_does_not():
    beta_mean = np.array([0.0, 0.0, Y.mean()])
    B = Y - XA @ beta_mean
    assert B.sum() == 0
    g = R.rmse_grad(XA, Y, beta_mean)
    assert np.linalg.norm(g) > 0.5
    np.testing.assert_allclose(g[:2], [-0.416025, -0.693375], atol=1e-6)


def test_sse_gradient_is_n_times_the_mse_gradient():
    beta = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(R.sse_grad(XA, Y, beta), [-100.0, -137.0, -62.0])
    np.testing.assert_allclose(R.sse_grad(XA, Y, beta), len(Y) * R.mse_grad(XA, Y, beta))


def test_half_sse_lr_0p01_equals_mse_lambda_0p02():
    """beta + (2 lambda / n) X^T r with lambda = 0.02, n = 4 is the half-SSE step with lr 0.01."""
    for beta in np.random.default_rng(1).normal(size=(5, 3)):
        r = Y - XA @ beta
        np.testing.assert_allclose(beta + 2 * 0.02 / 4 * XA.T @ r, beta - 0.01 * R.half_sse_grad(XA, Y, beta))


def test_seed_example_numbers():
    f = R.least_squares(XA, Y)
    np.testing.assert_allclose(f.grad(START), [204.3, 278.1, 121.4])
    path = cl.descend(f, SGD(lr=0.01), START, 6000)
    np.testing.assert_allclose(path.xs[1], [8.057, 12.319, -7.714])
    np.testing.assert_allclose(path.xs[1000], [1.341, 2.008, 2.429], atol=5e-4)
    np.testing.assert_allclose(path.xs[2000], [1.021, 1.998, 2.971], atol=5e-4)
    error = np.abs(path.xs - BETA_STAR).max(axis=-1)
    assert error[5000] == pytest.approx(4.8e-6, rel=0.02)
    assert np.argmax(error < 1e-3) == 3162
    assert np.argmax(error < 1e-6) == 5544
    np.testing.assert_allclose(np.linalg.lstsq(XA, Y, rcond=None)[0], BETA_STAR, atol=1e-12)


def test_the_plain_numpy_loop_equals_descend():
    beta = START.copy()
    for _ in range(100):
        beta = beta - 0.01 * (-XA.T @ (Y - XA @ beta))
    np.testing.assert_allclose(beta, cl.descend(R.least_squares(XA, Y), SGD(lr=0.01), START, 100).x)


def test_without_bias_the_fit_is_imperfect():
    coef = np.linalg.lstsq(X, Y, rcond=None)[0]
    assert R.sse(X, Y, coef) == pytest.approx(3.2727, abs=1e-4)


def test_eigenvalues_condition_number_and_stability():
    lam = np.linalg.eigvalsh(XA.T @ XA)
    np.testing.assert_allclose(lam, [0.2893, 0.4421, 31.2685], atol=1e-4)
    assert lam[-1] / lam[0] == pytest.approx(108.07, abs=0.01)
    limit = 2 / lam[-1]
    assert limit == pytest.approx(0.06396, abs=1e-5)
    f = R.least_squares(XA, Y)
    runs = cl.descend(f, SGD(lr=np.array([[0.99 * limit], [1.01 * limit]])), START, 20000)
    assert not runs.diverged[0] and np.abs(runs.xs[-1, 0] - BETA_STAR).max() < 1e-6
    assert runs.diverged[1]


def test_slowest_direction_predicts_the_step_count():
    lam, V = np.linalg.eigh(XA.T @ XA)
    c = V.T @ (START - BETA_STAR)
    predicted = np.log(1e-3 / (abs(c[0]) * np.abs(V[:, 0]).max())) / np.log(1 - 0.01 * lam[0])
    assert abs(predicted - 3162) < 10


def test_convexity_angle_below_ninety_degrees():
    f = R.least_squares(XA, Y)
    points = np.random.default_rng(0).uniform(-20, 20, size=(2000, 3))
    down = -f.grad(points)
    to_min = BETA_STAR - points
    # first-order convexity: <-grad f(x), x* - x> >= f(x) - f(x*) >= 0
    lhs = np.sum(down * to_min, axis=-1)
    assert np.all(lhs >= f.value(points) - f.value(BETA_STAR) - 1e-9)
    g, v = f.grad(START), BETA_STAR - START
    angle = np.degrees(np.arccos(-g @ v / (np.linalg.norm(g) * np.linalg.norm(v))))
    assert angle == pytest.approx(50.2, abs=0.05)
    # the map's example: f = (x^2 + 10 y^2)/2 at (10, 1) has angle 39.3 degrees
    q = cl.objective("(x**2 + 10*y**2)/2")
    gq = q.grad([10.0, 1.0])
    vq = -np.array([10.0, 1.0])
    assert np.degrees(np.arccos(-gq @ vq / (np.linalg.norm(gq) * np.linalg.norm(vq)))) == pytest.approx(39.3, abs=0.05)


def test_rmse_gradient_norm_does_not_shrink_and_fixed_steps_stall():
    f = R.least_squares(XA, Y, loss="rmse")
    u = np.array([1.0, -0.5, 0.3]) / np.linalg.norm([1.0, -0.5, 0.3])
    norms = [np.linalg.norm(f.grad(BETA_STAR + eps * u)) for eps in (1e-1, 1e-4, 1e-8)]
    np.testing.assert_allclose(norms, norms[0], rtol=1e-5)
    assert norms[0] > 2.5
    lrs = np.array([0.2, 0.1, 0.05])
    path = cl.descend(f, SGD(lr=lrs[:, None]), START, 3000)
    tail = np.abs(path.xs[-500:] - BETA_STAR).max(axis=-1).min(axis=0)
    np.testing.assert_allclose(tail / lrs, 1.05, atol=0.02)  # stall distance proportional to lr
    mse = cl.descend(R.least_squares(XA, Y, loss="mse"), SGD(lr=0.1), START, 3000)
    assert np.abs(mse.x - BETA_STAR).max() < 1e-12


def test_mixed_tabs_and_spaces_raise_indentation_error():
    snippet = "for t in range(T):\n    error = y - X @ beta\n\tgrad = -transpose(X) @ error\n"
    with pytest.raises(IndentationError):
        compile(snippet, "<pseudo-code>", "exec")


def _convexity_violation(loss, X, y, rng, pairs=4000, scale=5.0):
    """max over random a, b, theta of f(theta a + (1-theta) b) - [theta f(a) + (1-theta) f(b)], relative."""
    d = X.shape[1]
    center = np.linalg.lstsq(X, y, rcond=None)[0]
    a = center + scale * rng.standard_normal((pairs, d))
    b = center + scale * rng.standard_normal((pairs, d))
    b[: pairs // 4] = center  # a quarter of the chords end at the minimizer (the kink of RMSE and the norm)
    theta = rng.uniform(0.0, 1.0, size=(pairs, 1))
    lhs = loss(X, y, theta * a + (1 - theta) * b)
    rhs = theta[:, 0] * loss(X, y, a) + (1 - theta[:, 0]) * loss(X, y, b)
    return np.max((lhs - rhs) / (1.0 + np.abs(rhs)))


def test_all_five_regression_losses_are_convex_in_beta():
    """Cell 29: "All five regression losses are convex in beta" (every chord lies above the graph).

    Checked for every entry of R.LOSSES on a random noisy problem and on the notebook's seed problem (zero residual
    at the minimizer), with many random chords; a non-convex control (the square root of the RMSE) must fail the
    same check, so the check can tell.
    """
    assert sorted(R.LOSSES) == ["half_sse", "mse", "norm", "rmse", "sse"]
    rng = np.random.default_rng(29)
    Xr, yr, _ = R.make_data(12, 3, noise=0.5, rng=4)
    for name, (loss, _, _) in R.LOSSES.items():
        for design, target in ((Xr, yr), (XA, Y)):
            assert _convexity_violation(loss, design, target, rng) <= 1e-12, name
    assert _convexity_violation(lambda X, y, b: np.sqrt(R.rmse(X, y, b)), XA, Y, rng) > 1e-2


def test_contraction_factors_and_step_counts_from_the_hessian():
    """Cells 36-39 and the key points (cell 45), on the notebook's half-SSE problem from [10.1, 15.1, -6.5].

    Cell 37 prints the slowest factor 1 - 0.01 lambda_min = 0.99711; cell 38: the steep direction is settled within a
    few dozen steps since |1 - 0.01 * 31.27| = 0.69, the flattest keeps 99.7 % of its error per step. Key points:
    thousands of steps at lr 0.01, while the best fixed rate 2/(lambda_min + lambda_max) needs about
    (kappa/2) ln(1/eps) steps, hundreds at kappa ~ 100.
    """
    f = R.least_squares(XA, Y, loss="half_sse")
    lam, V = np.linalg.eigh(f.hess(START))
    kappa = lam[-1] / lam[0]
    beta_star = f.minima[0]
    assert f"{1 - 0.01 * lam[0]:.5f}" == "0.99711"
    assert round(100 * (1 - 0.01 * lam[0]), 1) == 99.7
    assert f"{lam[-1]:.2f}" == "31.27"
    assert round(abs(1 - 0.01 * lam[-1]), 2) == 0.69

    def settled(curve, eps=1e-3):
        """The first step from which curve stays below eps."""
        above = np.flatnonzero(curve >= eps)
        return 0 if above.size == 0 else above[-1] + 1

    slow = cl.descend(f, SGD(lr=0.01), START, 6000)
    components = (slow.xs - beta_star) @ V  # the error along each eigenvector
    steep = settled(np.abs(components[:, -1]))
    assert 10 <= steep <= 50  # "a few dozen steps" (25)
    # the factor alone predicts it: |c_max| 0.687^t < 1e-3
    c_max = abs(V[:, -1] @ (START - beta_star))
    assert abs(steep - np.log(1e-3 / c_max) / np.log(abs(1 - 0.01 * lam[-1]))) < 1.5
    slow_steps = settled(np.abs(slow.xs - beta_star).max(axis=-1))
    assert 1000 <= slow_steps < 10000  # "thousands of steps" (3162)

    best_lr = 2 / (lam[0] + lam[-1])
    fast = cl.descend(f, SGD(lr=best_lr), START, 2000)
    estimate = kappa / 2 * np.log(1e3)  # (kappa/2) ln(1/eps), eps = 1e-3: about 373
    fast_steps = settled(np.abs(fast.xs - beta_star).max(axis=-1))  # the notebook's criterion: max error < 1e-3
    assert 100 <= fast_steps < 1000  # "hundreds"
    assert estimate / 1.5 <= fast_steps <= 1.5 * estimate  # 515 against 373
    relative = np.linalg.norm(fast.xs - beta_star, axis=-1) / np.linalg.norm(START - beta_star)
    assert settled(relative) == pytest.approx(estimate, rel=0.05)  # eps as a relative error: 368
    assert slow_steps > 5 * fast_steps
