"""Formulas and claims stated in notebooks/08_weight_decay.ipynb, checked numerically or symbolically, each
condition on both sides: a case where the claim holds and one where it fails."""

import numpy as np
import pytest
import sympy as sp

import course_lib as cl
from course_lib.datasets import load_breast_cancer
from course_lib.models import LogisticRegression
from course_lib.noise import adamw_settling_point, l2_settling_point, tail_average
from course_lib.optimizers import SGD, Adam, AdamState, AdamW, DecoupledSGD

F = cl.objective("50*(x - 1)**2 + (y - 1)**2/2")


def unit_grad(x):
    return x - 1.0  # f = 1/2 ||x - 1||^2


# ---------------------------------------------------------------------------------------------------------------
# Section 1: over- and underfitting on the breast-cancer data
# ---------------------------------------------------------------------------------------------------------------


def test_l2_sweep_reaches_minima_and_shows_over_and_underfitting():
    data = load_breast_cancer()
    model = LogisticRegression(data.X_train, data.y_train)
    lams = np.geomspace(1e-4, 3, 25)
    W = np.zeros((lams.size, model.dim))
    for _ in range(20):
        g = model.grad(W) + lams[:, None] * W
        H = model.hess(W) + lams[:, None, None] * np.eye(model.dim)
        W = W - np.linalg.solve(H, g[..., None])[..., 0]
    assert np.linalg.norm(model.grad(W) + lams[:, None] * W, axis=-1).max() < 1e-8  # every run at its minimum
    train, test = model.data_loss(W), model.data_loss(W, data.X_test, data.y_test)
    assert np.all(np.diff(train) > 0)  # more penalty, worse fit of the training rows
    best = int(np.argmin(test))
    assert 0 < best < lams.size - 1  # the test loss has an interior minimum
    assert test[0] > 20 * train[0]  # overfitting: training loss a small fraction of the test loss
    assert test[best] < 0.5 * test[0]
    assert train[-1] > 0.4 and test[-1] > 0.4 and test[-1] - train[-1] < 0.05  # underfitting: both high, no gap
    np.testing.assert_allclose([train[0], test[0]], [0.012, 0.318], atol=6e-4)  # the numbers the prose quotes
    # Try this 2: accuracy shows the gap too, smaller at the best lambda
    acc_train, acc_test = model.accuracy(W), model.accuracy(W, data.X_test, data.y_test)
    assert acc_train[0] - acc_test[0] > 0.03
    assert acc_train[best] - acc_test[best] < acc_train[0] - acc_test[0]


# ---------------------------------------------------------------------------------------------------------------
# Section 2: SGD, without and with momentum
# ---------------------------------------------------------------------------------------------------------------


def test_l2_equals_decay_for_sgd_symbolically():
    x, g, eta, lam, lam_l2, wd = sp.symbols("x g eta lambda lambda_l2 wd", positive=True)
    l2 = x - eta * (g + lam_l2 * x)
    assert sp.solve(sp.Eq(l2, (1 - lam) * x - eta * g), lam_l2) == [lam / eta]
    assert sp.solve(sp.Eq(l2, x * (1 - eta * wd) - eta * g), lam_l2) == [wd]


def test_l2_equals_decay_for_sgd_without_momentum_numerically():
    a = cl.descend(F, DecoupledSGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], 500)
    b = cl.descend(F, SGD(lr=0.01, weight_decay=1.0), [0.0, 0.0], 500)
    c = cl.descend(F, SGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], 500)
    assert np.abs(a.xs - b.xs).max() < 1e-12
    assert np.abs(a.xs - c.xs).max() > 0.4
    assert np.allclose(a.x, [100 / 101, 0.5], atol=1e-4)  # ridge point of f + 1/2 ||x||^2


def test_section_2_runs_are_shown_at_their_end_after_2000_steps_not_500():
    # the notebook prints final points after 2000 steps: each run is then at the minimum of f + c/2 ||x||^2;
    # after 500 steps the weakly regularized run (c = 0.01, rate 1 - 0.01 * 1.01 on y) is still far from its end
    def ridge(c):
        return np.array([100 / (100 + c), 1 / (1 + c)])

    for steps, holds in ((2000, True), (500, False)):
        same = cl.descend(F, SGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], steps)
        dec = cl.descend(F, DecoupledSGD(lr=0.01, weight_decay=0.01), [0.0, 0.0], steps)
        assert np.abs(dec.x - ridge(1.0)).max() < 1e-4
        assert (np.abs(same.x - ridge(0.01)).max() < 1e-6) == holds
    # Try this 2: at the halved lr the decoupled run ends at the minimum for lambda' = lambda / eta = 2
    half = cl.descend(F, DecoupledSGD(lr=0.005, weight_decay=0.01), [0.0, 0.0], 2000)
    np.testing.assert_allclose(half.x, ridge(2.0), atol=1e-6)
    old = cl.descend(F, SGD(lr=0.005, weight_decay=1.0), [0.0, 0.0], 2000)
    assert np.abs(old.x - half.x).max() > 0.15  # y: 1/2 against 1/3


def test_decoupled_sgd_momentum_zero_is_the_old_rule_and_momentum_keeps_the_decay_out_of_the_buffer():
    x, g = np.array([2.0, -1.0]), np.array([0.5, 3.0])
    opt = DecoupledSGD(lr=0.1, weight_decay=0.01)
    assert np.array_equal(opt.step(x, g, opt.init(x))[0], 0.99 * x - 0.1 * g)
    mom = DecoupledSGD(lr=0.1, weight_decay=0.01, momentum=0.9)
    x1, s1 = mom.step(x, g, mom.init(x))
    assert np.array_equal(s1.buf, g) and np.allclose(x1, 0.99 * x - 0.1 * g)
    g2 = np.array([1.0, 1.0])
    x2, s2 = mom.step(x1, g2, s1)
    assert np.allclose(s2.buf, 0.9 * g + g2)  # only loss gradients in the buffer
    assert np.allclose(x2, 0.99 * x1 - 0.1 * (0.9 * g + g2))
    with pytest.raises(ValueError, match="momentum"):
        DecoupledSGD(lr=0.1, momentum=1.5)


def test_momentum_fixed_point_symbolically():
    x, g, b = sp.symbols("x g b")
    eta, lam, lam_l2, beta = sp.symbols("eta lambda lambda' beta", positive=True)
    l2 = sp.solve([sp.Eq(b, beta * b + g + lam_l2 * x), sp.Eq(x, x - eta * b)], [b, g], dict=True)[0]
    dec = sp.solve([sp.Eq(b, beta * b + g), sp.Eq(x, (1 - lam) * x - eta * b)], [b, g], dict=True)[0]
    assert sp.simplify(l2[g] + lam_l2 * x) == 0
    assert sp.solve(sp.Eq(l2[g], dec[g]), lam_l2) == [lam * (1 - beta) / eta]
    # without momentum (beta = 0) it reduces to lambda / eta
    assert sp.simplify(sp.solve(sp.Eq(l2[g], dec[g].subs(beta, 0)), lam_l2)[0] - lam / eta) == 0


def test_with_momentum_end_points_match_only_at_lambda_one_minus_beta_over_eta_and_paths_never():
    lr, lam, beta = 0.01, 0.01, 0.9
    dec = cl.descend(F, DecoupledSGD(lr=lr, weight_decay=lam, momentum=beta), [0.0, 0.0], 2000)
    matched = cl.descend(F, SGD(lr=lr, momentum=beta, weight_decay=lam * (1 - beta) / lr), [0.0, 0.0], 2000)
    naive = cl.descend(F, SGD(lr=lr, momentum=beta, weight_decay=lam / lr), [0.0, 0.0], 2000)
    assert np.abs(matched.x - dec.x).max() < 1e-12  # same end point ...
    assert np.abs(matched.xs - dec.xs).max() > 0.03  # ... not the same path
    assert np.abs(naive.x - dec.x).max() > 0.4  # lambda / eta, right without momentum, is wrong with it
    coefs = np.geomspace(0.01, 10, 400)[:, None]
    sweep = cl.descend(F, SGD(lr=lr, momentum=beta, weight_decay=coefs), [0.0, 0.0], 2000)
    assert np.abs(sweep.xs - dec.xs[:, None]).max(axis=(0, 2)).min() > 0.03  # no L2 coefficient gives the path
    # the end point is the minimum of f + lambda (1 - beta) / (2 eta) ||x||^2
    c = lam * (1 - beta) / lr
    np.testing.assert_allclose(dec.x, [100 / (100 + c), 1 / (1 + c)], atol=1e-9)


def test_exercise_one_momentum_coefficient_matches_the_end_point_and_the_no_momentum_one_does_not():
    lr, beta, lam = 0.05, 0.9, 0.001  # the exercise; lr * curvature 100 = 5 needs a gentler f
    g = cl.objective("(x - 1)**2/2 + 2*(y + 1)**2")
    dec = cl.descend(g, DecoupledSGD(lr=lr, weight_decay=lam, momentum=beta), [0.0, 0.0], 4000)
    right = cl.descend(g, SGD(lr=lr, momentum=beta, weight_decay=lam * (1 - beta) / lr), [0.0, 0.0], 4000)
    no_momentum = cl.descend(g, SGD(lr=lr, momentum=beta, weight_decay=lam / lr), [0.0, 0.0], 4000)
    assert np.abs(right.x - dec.x).max() < 1e-10
    assert np.abs(no_momentum.x - dec.x).max() > 0.01
    # without momentum the no-momentum coefficient is the right one
    dec0 = cl.descend(g, DecoupledSGD(lr=lr, weight_decay=lam), [0.0, 0.0], 4000)
    plain = cl.descend(g, SGD(lr=lr, weight_decay=lam / lr), [0.0, 0.0], 4000)
    assert np.abs(plain.xs - dec0.xs).max() < 1e-12


def test_torch_sgd_weight_decay_is_coupled_l2_and_torch_has_no_decoupled_sgd():
    torch = pytest.importorskip("torch")
    assert not any(hasattr(torch.optim, name) for name in ("SGDW", "DecoupledSGD"))
    x0, lr, beta, wd, steps = np.array([0.3, -1.2]), 0.01, 0.9, 0.5, 60
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=beta, weight_decay=wd)
    ours = SGD(lr=lr, momentum=beta, weight_decay=wd)
    x, state = x0.copy(), ours.init(x0)
    for _ in range(steps):
        opt.zero_grad()
        loss = 50 * (p[0] - 1) ** 2 + 0.5 * (p[1] - 1) ** 2
        loss.backward()
        opt.step()
        x, state = ours.step(x, F.grad(x), state)
    np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12, atol=1e-14)
    buf = opt.state[p]["momentum_buffer"].numpy()
    np.testing.assert_allclose(state.buf, buf, rtol=1e-12, atol=1e-14)  # the L2 term went into the buffer
    dec = cl.descend(F, DecoupledSGD(lr=lr, weight_decay=lr * wd, momentum=beta), x0, steps)
    assert np.abs(dec.x - x).max() > 1e-3  # torch's SGD is not the decoupled rule


# ---------------------------------------------------------------------------------------------------------------
# Section 3: AdamW written out
# ---------------------------------------------------------------------------------------------------------------


def test_adamw_is_decay_then_adam_and_seed_form():
    x, g = np.array([2.0, -1.0]), np.array([0.5, 3.0])
    state = AdamState(m=np.array([0.1, 0.2]), v=np.array([0.01, 0.5]), t=4)
    lr, wd = 1e-3, 1e-2
    assert np.allclose(
        AdamW(lr=lr, weight_decay=wd).step(x, g, state)[0], Adam(lr=lr).step(x * (1 - lr * wd), g, state)[0]
    )
    assert np.allclose(
        AdamW(lr=lr, weight_decay=wd / lr).step(x, g, state)[0], Adam(lr=lr).step(x * (1 - wd), g, state)[0]
    )


def _paper_adamw(f, x0, steps, alpha, lam, schedule, beta1=0.9, beta2=0.999, eps=1e-8):
    """Loshchilov & Hutter (2019), Algorithm 2, written out: m, v from the plain loss gradient and
    x_t = x_{t-1} - eta_t (alpha m_hat / (sqrt(v_hat) + eps) + lambda x_{t-1})."""
    x = np.array(x0, dtype=np.float64)
    m, v, xs = np.zeros_like(x), np.zeros_like(x), [x]
    for t in range(1, steps + 1):
        g = f.grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        x = x - schedule(t - 1) * (alpha * m_hat / (np.sqrt(v_hat) + eps) + lam * x)
        xs.append(x)
    return np.array(xs)


@pytest.mark.parametrize(
    "schedule",
    [lambda t: 1.0, lambda t: 0.5 * (1 + np.cos(np.pi * t / 400)) + 0.01, lambda t: 1.0 / np.sqrt(1 + t)],
    ids=["constant", "cosine", "inverse_sqrt"],
)
def test_paper_adamw_is_torch_adamw_with_lr_alpha_eta_and_wd_lambda_over_alpha(schedule):
    # Pitfall E48: the paper's x_t = x_{t-1} - eta_t(alpha m_hat/(sqrt(v_hat)+eps) + lambda x_{t-1}) is torch's
    # AdamW with lr = alpha * eta_t and weight_decay = lambda / alpha (eta_t changed by replacing lr).
    f = cl.surface("himmelblau")
    alpha, lam, steps, x0 = 0.05, 0.02, 400, [-0.3, -0.9]
    paper = _paper_adamw(f, x0, steps, alpha, lam, schedule)
    torch_form = cl.descend(
        f, AdamW(lr=alpha, weight_decay=lam / alpha), x0, steps, lr_schedule=lambda t: alpha * schedule(t)
    )
    np.testing.assert_allclose(torch_form.xs, paper, rtol=1e-12, atol=0)
    seed = cl.descend(f, AdamW(lr=alpha, weight_decay=lam), x0, steps, lr_schedule=lambda t: alpha * schedule(t))
    assert np.abs(seed.x - paper[-1]).max() > 1e-2


# ---------------------------------------------------------------------------------------------------------------
# Section 4: where noisy runs settle
# ---------------------------------------------------------------------------------------------------------------


def test_settling_points_symbolically():
    xi, lam, s, sigma = sp.symbols("x_i lambda s sigma", positive=True)
    assert sp.simplify(sp.solve(xi - 1 + lam * xi, xi)[0] - 1 / (1 + lam)) == 0
    assert sp.simplify(sp.solve(xi - 1 + lam * s * xi, xi)[0] - 1 / (1 + lam * s)) == 0
    settle = xi - 1 + lam * sp.sqrt(sigma**2 + (xi - 1) ** 2) * xi
    for sig in (4, 0.1, 1, 10):
        root = float(sp.nsolve(settle.subs({lam: 0.5, sigma: sig}), xi, 0.5))
        assert adamw_settling_point(0.5, sig) == pytest.approx(root, abs=1e-12)
    assert l2_settling_point(0.5) == pytest.approx(2 / 3)


@pytest.fixture(scope="module")
def settled_runs():
    """The notebook's measurement: noise (4, 0.1) and (1, 1), lambda 0.5, lr 0.003, 256 seeds."""
    noise = np.array([[4.0, 0.1], [1.0, 1.0]])
    kw = {"steps": 12000, "tail": 6000, "sigma": noise, "seeds": 256, "rng": 0}
    return (
        noise,
        tail_average(unit_grad, Adam(lr=0.003, weight_decay=0.5), np.ones((2, 2)), **kw),
        tail_average(unit_grad, AdamW(lr=0.003, weight_decay=0.5), np.ones((2, 2)), **kw),
    )


def test_adam_l2_settles_at_the_ridge_point_whatever_the_noise(settled_runs):
    noise, l2, _ = settled_runs
    assert l2.settled.all()
    assert np.all(np.abs(l2.mean - 2 / 3) < 4 * l2.se + 1e-3)


def test_adamw_settles_at_the_noise_dependent_point(settled_runs):
    noise, l2, w = settled_runs
    assert w.settled.all()
    predicted = adamw_settling_point(0.5, noise)
    assert np.all(np.abs(w.mean - predicted) < 4 * w.se + 1e-3)
    # unequal noise: the noisy coordinate decayed twice as much as under L2, the quiet one far less
    assert w.mean[0, 0] < 0.35 and w.mean[0, 1] > 0.94
    assert abs(l2.mean[0, 0] - w.mean[0, 0]) > 0.3
    # equal noise: the two nearly coincide, and AdamW treats both coordinates alike
    assert np.abs(l2.mean[1] - w.mean[1]).max() < 0.03
    assert abs(w.mean[1, 0] - w.mean[1, 1]) < 4 * w.se[1].max()


def test_notebook_prints_stable_digits(settled_runs):
    from course_lib.noise import stable_digits

    _, l2, w = settled_runs
    assert stable_digits(l2.mean[0], l2.se[0]) == "(0.67, 0.667)"
    assert stable_digits(w.mean[0], w.se[0]) == "(0.33, 0.946)"
    assert stable_digits(l2.mean[1], l2.se[1]) == "(0.67, 0.67)"
    assert stable_digits(w.mean[1], w.se[1]) == "(0.65, 0.65)"


def test_leading_order_formula_holds_where_noise_dominates_and_misses_where_it_does_not(settled_runs):
    # 1/(1 + lambda sigma) drops (grad f)^2 from v_hat: fine for sigma = 4 (0.333 vs 0.330), off for sigma = 0.1
    # (0.952 vs a measured 0.946, many standard errors away), where (1 - x)^2 is comparable to sigma^2.
    noise, _, w = settled_runs
    lead = adamw_settling_point(0.5, noise, leading_order=True)
    assert abs(w.mean[0, 0] - lead[0, 0]) < 0.01
    assert abs(w.mean[0, 1] - lead[0, 1]) > 20 * w.se[0, 1]


def test_settling_conditions_small_lr_and_slow_v_hat_on_both_sides():
    kw = {"steps": 12000, "tail": 6000, "sigma": (4.0, 0.1), "seeds": 64, "rng": 1}
    predicted = adamw_settling_point(0.5, (4.0, 0.1))
    small = tail_average(unit_grad, AdamW(lr=0.003, weight_decay=0.5), [1.0, 1.0], **kw)
    assert np.all(np.abs(small.mean - predicted) < 4 * small.se + 1e-3)
    # a large lr: x's own jitter adds to v_hat, and the quiet coordinate settles measurably lower
    large = tail_average(unit_grad, AdamW(lr=0.1, weight_decay=0.5), [1.0, 1.0], **kw)
    assert predicted[1] - large.mean[1] > 10 * large.se[1]
    # a fast-changing v_hat (beta2 = 0.5): the average of m_hat / sqrt(v_hat) is no longer E[m_hat] / sqrt(E v)
    fast = tail_average(unit_grad, AdamW(lr=0.003, betas=(0.9, 0.5), weight_decay=0.5), [1.0, 1.0], **kw)
    assert fast.mean[0] - predicted[0] > 10 * fast.se[0]


def test_settling_needs_zero_mean_noise():
    kw = {"steps": 12000, "tail": 6000, "sigma": 1.0, "seeds": 64, "rng": 2}
    unbiased = tail_average(unit_grad, Adam(lr=0.003, weight_decay=0.5), [1.0, 1.0], **kw)
    biased = tail_average(lambda x: unit_grad(x) + 0.5, Adam(lr=0.003, weight_decay=0.5), [1.0, 1.0], **kw)
    assert np.all(np.abs(unbiased.mean - 2 / 3) < 4 * unbiased.se + 1e-3)
    assert np.all(np.abs(biased.mean - 1 / 3) < 4 * biased.se + 1e-3)  # (1 - 0.5) / (1 + lambda)


def test_exact_gradients_adamw_drifts_to_the_unregularized_minimum_adam_l2_stays():
    w = cl.descend(F, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], 10000)
    l2 = cl.descend(F, Adam(lr=0.01, weight_decay=0.5), [0.0, 0.0], 10000)
    np.testing.assert_allclose(w.xs[[1000, 3000, 10000]], [[0.9031] * 2, [0.9600] * 2, [0.9971] * 2], atol=1e-4)
    distance = np.linalg.norm(w.xs[1000:] - 1.0, axis=-1)
    assert np.all(np.diff(distance) < 0)  # every step from 1000 on moves closer to (1, 1)
    ridge = [100 / 100.5, 1 / 1.5]
    assert np.abs(l2.xs[1000:] - ridge).max() < 1e-4  # Adam + L2 has settled at the ridge point
    # with noise (the notebook's sigma = 0.1 on both coordinates), AdamW's decay keeps its grip instead
    noisy = tail_average(unit_grad, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], steps=12000, tail=6000,
                         sigma=0.1, seeds=16, rng=3)  # fmt: skip
    assert np.all(noisy.mean < 0.95)


def test_exact_gradients_adamw_settles_at_one_over_lambda_when_lambda_x_star_exceeds_one():
    # the condition lambda |x*_i| < 1 on both sides: lambda = 0.5 creeps to x* = (1, 1) (test above);
    # lambda = 2 creeps to 1 / lambda = 0.5, where the decay balances Adam's unit-size step, and stays
    big = cl.descend(F, AdamW(lr=0.01, weight_decay=2.0), [0.0, 0.0], 20000)
    np.testing.assert_allclose(big.xs[[1000, 3000, 10000]], [[0.4715] * 2, [0.4912] * 2, [0.4997] * 2], atol=1e-4)
    assert np.abs(big.x - 0.5).max() < 1e-5
    assert np.all(np.diff(big.xs[1000:, 0]) > -1e-12) and big.xs[1000:].max() < 0.5 + 1e-9  # from below, no overshoot
    small = cl.descend(F, AdamW(lr=0.01, weight_decay=0.5), [0.0, 0.0], 20000)
    assert np.abs(small.x - 1.0).max() < 1e-3 and np.abs(small.x - 1 / 0.5).max() > 0.9


def test_exercise_three_numbers():
    lead = 1 / (1 + 0.2 * np.array([5.0, 0.5]))
    assert lead == pytest.approx([0.5, 1 / 1.1])
    np.testing.assert_allclose(adamw_settling_point(0.2, [5.0, 0.5]), lead, rtol=0.01)  # both accepted


# ---------------------------------------------------------------------------------------------------------------
# Section 5: the explorer's Try-this answers
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    pytest.importorskip("ipywidgets")
    from course_lib.viz.weight_decay import SettlingExplorer

    ex = SettlingExplorer(canvas="agg")
    yield ex
    ex.close()


def _set(ex, **values):
    with ex.hold():
        for name, value in values.items():
            ex.sliders[name.replace("_", " ")].value = value
    ex.compute(ex.values)  # make sure the results belong to these values
    return ex.results


def test_explorer_default_matches_the_notebook(explorer):
    r = _set(explorer, noise_x=4.0, noise_y=0.1, **{"lambda": 0.5}, lr=0.003)
    assert abs(r["AdamW"].mean[0] - 0.330) < 0.02 and abs(r["AdamW"].mean[1] - 0.946) < 0.005
    assert np.all(np.abs(r["Adam + L2"].mean - 2 / 3) < 0.03)


def test_try_this_1_equal_noise_one_lambda_prime(explorer):
    r = _set(explorer, noise_x=4.0, noise_y=4.0, **{"lambda": 0.5}, lr=0.003)
    w = r["AdamW"].mean
    assert abs(w[0] - w[1]) < 0.03  # both coordinates alike
    lam_prime = 1 / w.mean() - 1  # the single L2 coefficient that lands there
    assert lam_prime == pytest.approx(0.5 * 4.05, rel=0.1)  # lambda sqrt(v_hat)


def test_try_this_2_noise_ten(explorer):
    r = _set(explorer, noise_x=10.0, noise_y=0.1, **{"lambda": 0.5}, lr=0.003)
    assert abs(r["AdamW"].mean[0] - 1 / 6) < 0.02
    assert abs(r["Adam + L2"].mean[0] - 2 / 3) < 0.05  # does not move, only a wider cloud


def test_try_this_3_lr_moves_no_settling_point(explorer):
    slow = _set(explorer, noise_x=4.0, noise_y=0.1, **{"lambda": 0.5}, lr=0.003)
    fast = _set(explorer, noise_x=4.0, noise_y=0.1, **{"lambda": 0.5}, lr=0.01)
    for label in ("Adam + L2", "AdamW"):
        assert np.abs(fast[label].mean - slow[label].mean).max() < 0.03


def test_try_this_4_quiet_coordinate_hardly_decayed(explorer):
    r = _set(explorer, noise_x=0.01, noise_y=0.1, **{"lambda": 0.5}, lr=0.003)
    assert r["AdamW"].mean[0] > 0.99  # decay lambda sqrt(v_hat) x with sqrt(v_hat) ~ 0.01: almost none
    assert abs(r["Adam + L2"].mean[0] - 2 / 3) < 0.01


# ---------------------------------------------------------------------------------------------------------------
# Section 6: tuning lr and lambda
# ---------------------------------------------------------------------------------------------------------------


def _tuning_maps(epochs):
    from course_lib.training import train

    data = load_breast_cancer()
    model = LogisticRegression(data.X_train, data.y_train)
    lrs = np.geomspace(1e-3, 0.3, 6)[:, None, None, None]
    grid_l2 = np.geomspace(1e-4, 1, 9)[:, None, None]
    grid_w = np.geomspace(1e-3, 3, 9)[:, None, None]
    grid_step = np.geomspace(1e-5, 0.3, 9)[:, None, None]
    rules = {
        "Adam + L2": Adam(lr=lrs, weight_decay=grid_l2),
        "AdamW (torch)": AdamW(lr=lrs, weight_decay=grid_w),
        "decay per step": AdamW(lr=lrs, weight_decay=grid_step / lrs),
    }
    maps = {}
    for name, opt in rules.items():
        run = train(model, opt, np.zeros((6, 9, 3, model.dim)), epochs=epochs, batch_size=32, seeds=(0, 1, 2),
                    test=(data.X_test, data.y_test), history=False)  # fmt: skip
        maps[name] = np.median(np.where(run.diverged, np.nan, run.test_loss[-1]), axis=-1)
    return maps


@pytest.fixture(scope="module")
def tuning_maps():
    return _tuning_maps(70)


def test_best_lambda_stays_for_torch_forms_and_climbs_for_decay_per_step(tuning_maps):
    rows = slice(2, 6)  # lr from 0.01 to 0.3, where the runs have finished
    spread = {name: np.ptp(np.nanargmin(loss[rows], axis=1)) for name, loss in tuning_maps.items()}
    assert spread["Adam + L2"] <= 1 and spread["AdamW (torch)"] <= 1  # within one grid step (a factor ~3)
    best_step = np.nanargmin(tuning_maps["decay per step"][rows], axis=1)
    assert best_step[-1] - best_step[0] >= 3  # a 30-fold rise over a 30-fold rise of lr
    assert np.all(np.diff(best_step) >= 0)


def test_smallest_learning_rates_prefer_no_penalty_early_stopping(tuning_maps):
    for loss in tuning_maps.values():
        assert np.all(np.nanargmin(loss[:2], axis=1) <= 1)


def test_try_this_section_6_longer_training_and_the_ratio(tuning_maps):
    # 2: best per-step decay at lr = 0.3 over that at lr = 0.01 (rows 5 and 2) is about the lr ratio, 30
    grid_step = np.geomspace(1e-5, 0.3, 9)
    best = np.nanargmin(tuning_maps["decay per step"], axis=1)
    assert 10 < grid_step[best[5]] / grid_step[best[2]] < 100
    # 1: with 150 epochs the row lr = 0.003 moves its best lambda up towards the other rows (torch forms)
    longer = _tuning_maps(150)
    for name in ("Adam + L2", "AdamW (torch)"):
        before, after = np.nanargmin(tuning_maps[name][1]), np.nanargmin(longer[name][1])
        others = np.nanargmin(longer[name][2:], axis=1)
        assert after > before and abs(after - np.median(others)) <= 2
