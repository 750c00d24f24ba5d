"""Newton, safeguarded Newton and L-BFGS: hand-computed steps, known behaviour, and a SciPy cross-check."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.second_order import LBFGS, Newton, SafeguardedNewton


def quadratic(A, b):
    x, y = sp.symbols("x y", real=True)
    v = sp.Matrix([x, y])
    expr = (v.T * sp.Matrix(A) * v / 2 - sp.Matrix(b).T * v)[0]
    return cl.objective(expr, [x, y])


A = [[3, 1], [1, 2]]
b = [1, -1]


def test_newton_solves_a_quadratic_in_one_step():
    f = quadratic(A, b)
    x0 = np.array([4.0, -3.0])
    x1, _ = Newton(f).step(x0, f.grad(x0), Newton(f).init(x0))
    np.testing.assert_allclose(x1, np.linalg.solve(np.array(A, float), b), rtol=1e-12)


def test_newton_step_by_hand_in_one_dimension():
    # f = x**4: f' = 4x**3, f'' = 12x**2, so x - f'/f'' = x - x/3 = 2x/3; damped by lr = 0.5: x - x/6
    f = cl.objective("x**4")
    x0 = np.array([3.0])
    assert Newton(f).step(x0, f.grad(x0), Newton(f).init(x0))[0][0] == pytest.approx(2.0)
    assert Newton(f, lr=0.5).step(x0, f.grad(x0), Newton(f).init(x0))[0][0] == pytest.approx(2.5)


def test_levenberg_damping_shifts_the_hessian():
    f = quadratic(A, b)
    x0 = np.array([1.0, 1.0])
    g = f.grad(x0)
    expected = x0 - np.linalg.solve(np.array(A, float) + 2.0 * np.eye(2), g)
    opt = Newton(f, damping=2.0)
    np.testing.assert_allclose(opt.step(x0, g, opt.init(x0))[0], expected, rtol=1e-12)


def test_newton_is_attracted_to_a_saddle_and_the_safeguard_is_not():
    f = cl.surface("saddle")
    plain = cl.descend(f, Newton(f), [1.0, 0.5], 3)
    np.testing.assert_allclose(plain.x, [0.0, 0.0], atol=1e-12)
    safe = cl.descend(f, SafeguardedNewton(f), [1.0, 0.5], 5)
    assert abs(safe.x[1]) > 1.0  # moved away from the saddle along the negative-curvature direction
    assert np.all(np.diff(safe.values) < 0)  # every accepted step decreased f


def test_safeguarded_newton_converges_where_plain_newton_overshoots():
    f = cl.objective("sqrt(1 + x**2)")  # convex, but Newton's step x -> -x**3 diverges from |x| > 1
    plain = cl.descend(f, Newton(f), [2.0], 6)
    assert plain.diverged or abs(plain.x[0]) > 100
    safe = cl.descend(f, SafeguardedNewton(f), [2.0], 30, tol=1e-10)
    assert abs(safe.x[0]) < 1e-8


def test_lbfgs_two_loop_satisfies_the_secant_equation():
    # The inverse-Hessian estimate H maps the newest gradient change to the newest step: H y_k = s_k,
    # so the direction for g = y_k is -s_k. With d pairs taken from a quadratic, H also equals A^{-1} on y_k.
    Am = np.array(A, float)
    s = np.array([[1.0, 0.0], [0.3, 1.0]])
    y = s @ Am.T
    opt = LBFGS(quadratic(A, b), history_size=2)
    np.testing.assert_allclose(opt.direction(y[-1], s, y), -s[-1], rtol=1e-12)
    # one pair only: H = gamma I updated once; still satisfies the secant equation for that pair
    np.testing.assert_allclose(opt.direction(y[:1][-1], s[:1], y[:1]), -s[0], rtol=1e-12)


def test_lbfgs_skips_pairs_without_positive_curvature():
    opt = LBFGS(quadratic(A, b), history_size=2)
    g = np.array([1.0, 2.0])
    s = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[-1.0, 0.0], [0.0, -2.0]])  # s.y < 0 for both: ignored, first-step scaling used
    np.testing.assert_allclose(opt.direction(g, s, y), -g / np.linalg.norm(g), rtol=1e-12)


@pytest.mark.parametrize(
    "name, start", [("rosenbrock", [-1.2, 1.0]), ("beale", [1.0, 1.0]), ("himmelblau", [0.0, 0.0])]
)
def test_lbfgs_reaches_a_minimum(name, start):
    f = cl.surface(name)
    path = cl.descend(f, LBFGS(f), start, 300, tol=1e-9)
    assert path.steps < 100
    assert np.min(np.linalg.norm(f.minima - path.x, axis=-1)) < 1e-6
    assert np.all(np.diff(path.values) <= 1e-15)  # the line search never goes uphill


def test_lbfgs_batch_equals_separate_runs():
    f = cl.surface("rosenbrock")
    starts = np.array([[-1.2, 1.0], [0.5, -0.5], [2.0, 2.0]])
    batch = cl.descend(f, LBFGS(f), starts, 40)
    for i, start in enumerate(starts):
        single = cl.descend(f, LBFGS(f), start, 40)
        np.testing.assert_allclose(batch.xs[:, i], single.xs, rtol=1e-12, atol=1e-14)


def test_lbfgs_agrees_with_scipy():
    optimize = pytest.importorskip("scipy.optimize", reason="SciPy is not a course dependency; cross-check only")
    f = cl.surface("rosenbrock")
    ours = cl.descend(f, LBFGS(f), [-1.2, 1.0], 300, tol=1e-8)
    theirs = optimize.minimize(
        lambda z: float(f.value(z)),
        [-1.2, 1.0],
        jac=f.grad,
        method="L-BFGS-B",
        options={"gtol": 1e-8, "maxcor": 10},
    )
    np.testing.assert_allclose(ours.x, theirs.x, atol=1e-4)
    assert ours.steps <= 2 * theirs.nit  # same order of iterations: both are L-BFGS with a line search


def test_inputs_are_not_modified_and_state_is_typed():
    f = cl.surface("beale")
    x = np.array([[1.0, 1.0], [2.0, 0.0]])
    for opt in (Newton(f), SafeguardedNewton(f), LBFGS(f)):
        state = opt.init(x)
        x_copy, g = x.copy(), f.grad(x)
        g_copy = g.copy()
        for _ in range(3):
            x_next, state = opt.step(x, g, state)
        np.testing.assert_array_equal(x, x_copy)
        np.testing.assert_array_equal(g, g_copy)
        assert hasattr(state, "_fields")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda f: Newton(f, lr=-1), "lr"),
        (lambda f: Newton(f, damping=-0.1), "damping"),
        (lambda f: Newton("x**2"), "objective"),
        (lambda f: SafeguardedNewton(f, min_curvature=0), "min_curvature"),
        (lambda f: SafeguardedNewton(f, shrink=1.5), "shrink"),
        (lambda f: LBFGS(f, history_size=0), "history_size"),
        (lambda f: LBFGS(f, c1=1.0), "c1"),
        (lambda f: LBFGS(f, max_backtracks=0), "max_backtracks"),
    ],
)
def test_bad_hyperparameters_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make(cl.surface("bowl"))


@pytest.mark.parametrize("method", [SafeguardedNewton, LBFGS])
def test_descend_hands_the_line_search_the_value_it_already_has(method):
    from course_lib.objectives import CountedObjective

    start, steps = np.array([[-1.2, 1.0], [0.5, -0.5]]), 15
    counted = CountedObjective(cl.surface("rosenbrock"))
    path = cl.descend(counted, method(counted), start, steps)
    # The same run by hand, where every step evaluates f(x) itself.
    by_hand = CountedObjective(cl.surface("rosenbrock"))
    opt, x = method(by_hand), start
    state, xs = opt.init(x), [start]
    for _ in range(steps):
        x, state = opt.step(x, by_hand.grad(x), state)
        xs.append(x)
    np.testing.assert_array_equal(path.xs, np.array(xs))
    # descend: one value_and_grad per point; by hand: f(x) inside every step, plus the grads. Same trial points.
    trials = by_hand.calls["value"] - steps
    assert counted.calls["value"] == (steps + 1) + trials
    assert counted.calls["grad"] == steps + 1


@pytest.mark.parametrize("bad", ["abc", [1.0, 2.0, 3.0], None])
def test_a_bad_value_for_the_line_search_names_the_parameter(bad):
    f = cl.surface("rosenbrock")
    x = np.array([[0.0, 0.0], [1.0, 2.0]])
    opt = LBFGS(f)
    if bad is None:  # not given: the line search evaluates f itself, with the same result
        np.testing.assert_array_equal(
            opt.step(x, f.grad(x), opt.init(x))[0], opt.step(x, f.grad(x), opt.init(x), value=f.value(x))[0]
        )
        return
    with pytest.raises(ValueError, match="value"):
        opt.step(x, f.grad(x), opt.init(x), value=bad)


# ---------------------------------------------------------------------------------------------------------------
# LogisticLoss: the problem on which Newton is Fisher scoring
# ---------------------------------------------------------------------------------------------------------------


def _logistic():
    from course_lib.second_order import LogisticLoss

    rng = np.random.default_rng(7)
    X = np.column_stack([rng.normal(size=(60, 2)), np.ones(60)])
    y = (rng.random(60) < 0.5).astype(float)
    return LogisticLoss(X, y), X, y


def test_logistic_loss_value_gradient_and_hessian_agree_with_finite_differences():
    nll, X, y = _logistic()
    w = np.array([0.3, -0.7, 0.2])
    z = X @ w
    assert nll.value(w) == pytest.approx(np.mean(np.log1p(np.exp(z)) - y * z), rel=1e-12)
    h = 1e-6
    eye = np.eye(3)
    fd_grad = np.array([(nll.value(w + h * e) - nll.value(w - h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(nll.grad(w), fd_grad, rtol=1e-6, atol=1e-9)
    fd_hess = np.array([(nll.grad(w + h * e) - nll.grad(w - h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(nll.hess(w), fd_hess, rtol=1e-5, atol=1e-8)
    value, grad = nll.value_and_grad(w)
    assert value == nll.value(w) and np.array_equal(grad, nll.grad(w))


def test_logistic_loss_evaluates_batches_and_survives_huge_logits():
    nll, _, _ = _logistic()
    W = np.array([[[0.3, -0.7, 0.2], [1.0, 1.0, 1.0]], [[0.0, 0.0, 0.0], [1e3, -1e3, 0.0]]])
    assert nll.value(W).shape == (2, 2) and nll.grad(W).shape == (2, 2, 3) and nll.hess(W).shape == (2, 2, 3, 3)
    for idx in np.ndindex(2, 2):
        assert nll.value(W)[idx] == pytest.approx(nll.value(W[idx]), rel=1e-12)
        np.testing.assert_allclose(nll.hess(W)[idx], nll.hess(W[idx]), rtol=1e-12)
    assert np.all(np.isfinite(nll.value(W))) and np.all(np.isfinite(nll.grad(W)))
    assert nll.value(np.zeros(3)) == pytest.approx(np.log(2))


def test_newton_on_the_logistic_loss_matches_scipy():
    from scipy.optimize import minimize

    nll, _, _ = _logistic()
    path = cl.descend(nll, Newton(nll), np.zeros(3), steps=30, tol=1e-10)
    reference = minimize(nll.value, np.zeros(3), jac=nll.grad, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(path.x, reference.x, atol=1e-6)
    assert path.steps < 10


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.ones(5), np.ones(5), "X"),
        (np.ones((5, 2)), np.ones(4), "y"),
        (np.ones((5, 2)), np.full(5, 0.5), "y"),
        (np.full((5, 2), np.nan), np.ones(5), "X"),
    ],
)
def test_logistic_loss_names_bad_data(X, y, match):
    from course_lib.second_order import LogisticLoss

    with pytest.raises(ValueError, match=match):
        LogisticLoss(X, y)
