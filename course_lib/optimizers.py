r"""Update rules as pure ``init``/``step`` pairs, with torch.optim's names, defaults and semantics.

Every optimizer is a frozen dataclass of hyperparameters::

    opt = SGD(lr=0.1, momentum=0.9)
    state = opt.init(x)                      # a NamedTuple of arrays shaped like x
    x_next, state_next = opt.step(x, g, state)

``step`` never modifies the arrays passed in. ``x`` may hold a batch, shape ``(..., dim)``: every row is an
independent trajectory. Hyperparameters may be NumPy arrays that broadcast against ``x`` (for example
``lr=np.array([[0.01], [0.1]])`` with ``x`` of shape ``(2, dim)``), so a sweep is a single call.

Notation (the course's): ``x_t`` the point after step ``t``, ``x_0`` the start, ``g_t`` the gradient at
``x_{t-1}``; ``x`` point, ``g`` gradient, ``lr`` the step size η, ``m`` first moment, ``v`` second moment,
``t`` the number of steps taken (1 on the first step).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    # other forms of momentum (chapter 06)
    "HeavyBall",
    "NesterovLookahead",
    "EMAMomentum",
    # teaching variants (chapters 07 and 08), including the seeds' mistakes
    "SeedAdagrad",
    "SeedAdam",
    "AdagradEpsInRoot",
    "RMSpropEpsInRoot",
    "AdamEpsInRoot",
    "DecoupledSGD",
]


# ---------------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------------


def _number(name, value):
    """A hyperparameter as a float or a float64 array; anything else raises naming the parameter."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return float(array) if array.ndim == 0 else array


def _check(name, value, low, high=None, *, high_open=False):
    """Check ``low <= value`` and ``value <= high`` (or ``< high``) element-wise; return the cleaned value."""
    value = _number(name, value)
    array = np.asarray(value)
    ok = array >= low
    if high is not None:
        ok &= (array < high) if high_open else (array <= high)
    if not np.all(ok):
        if high is None:
            valid = f"{name} >= {low}"
        else:
            valid = f"{low} <= {name} {'<' if high_open else '<='} {high}"
        raise ValueError(f"{name}: invalid value {value!r}; valid range is {valid}")
    return value


def _ema(average, new, beta):
    """Exponential moving average: ``beta * average + (1 - beta) * new``."""
    return beta * average + (1 - beta) * new


class Optimizer:
    """Base class: hyperparameters live in a frozen dataclass; subclasses define ``init`` and ``step``."""

    def replace(self, **changes):
        """A copy with some hyperparameters changed (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    @property
    def hyperparameters(self):
        """The hyperparameters as a dict, in the constructor's order."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def _decayed(self, x, g):
        """The L2-regularized gradient ``g + weight_decay * x`` (torch's ``weight_decay``)."""
        decay = self.weight_decay
        return g + decay * x if (decay != 0 if isinstance(decay, float) else np.any(decay)) else g


# ---------------------------------------------------------------------------------------------------------------
# SGD with momentum
# ---------------------------------------------------------------------------------------------------------------


class SGDState(NamedTuple):
    buf: np.ndarray  # momentum buffer b
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class SGD(Optimizer):
    r"""b_t = momentum * b_{t-1} + (1 - dampening) * g_t  (b_1 = g_1);  x_t = x_{t-1} - lr * b_t.

    With ``nesterov=True`` the step uses ``g_t + momentum * b_t`` instead of ``b_t``; ``momentum=0`` is plain
    gradient descent. Taught in notebooks/03_learning_rate.ipynb, 05_sgd.ipynb and 06_momentum.ipynb.
    Polyak (1964); Sutskever et al. (2013) for the Nesterov form.
    """

    lr: float = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "momentum", _check("momentum", self.momentum, 0.0, 1.0))
        set_(self, "dampening", _check("dampening", self.dampening, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0))
        if not isinstance(self.nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov: expected True or False, got {self.nesterov!r}")
        if self.nesterov and (np.any(np.asarray(self.momentum) <= 0) or np.any(np.asarray(self.dampening) != 0)):
            raise ValueError("nesterov: Nesterov momentum requires momentum > 0 and dampening == 0")

    def init(self, x):
        return SGDState(buf=np.zeros_like(x, dtype=np.float64), t=0)

    def step(self, x, g, state):
        g = self._decayed(x, g)
        if isinstance(self.momentum, float) and self.momentum == 0:  # plain gradient descent: no buffer
            return x - self.lr * g, SGDState(buf=state.buf, t=state.t + 1)
        # torch ignores dampening when momentum is 0; this keeps that true element-wise for array hyperparameters
        dampening = np.where(np.asarray(self.momentum) == 0, 0.0, self.dampening)
        buf = np.array(g, dtype=np.float64) if state.t == 0 else self.momentum * state.buf + (1 - dampening) * g
        direction = g + self.momentum * buf if self.nesterov else buf
        return x - self.lr * direction, SGDState(buf=buf, t=state.t + 1)


# ---------------------------------------------------------------------------------------------------------------
# Adaptive methods
# ---------------------------------------------------------------------------------------------------------------


class AdagradState(NamedTuple):
    sum: np.ndarray  # running sum of squared gradients
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class Adagrad(Optimizer):
    r"""s_t = s_{t-1} + g_t**2;  x_t = x_{t-1} - lr_t * g_t / (sqrt(s_t) + eps),  lr_t = lr / (1 + (t-1) lr_decay).

    Taught in notebooks/07_adaptive_methods.ipynb. Duchi, Hazan & Singer (2011).
    """

    lr: float = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "lr_decay", _check("lr_decay", self.lr_decay, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0))
        set_(
            self,
            "initial_accumulator_value",
            _check("initial_accumulator_value", self.initial_accumulator_value, 0.0),
        )
        set_(self, "eps", _check("eps", self.eps, 0.0))

    def init(self, x):
        x = np.asarray(x, dtype=np.float64)
        return AdagradState(sum=np.zeros_like(x) + self.initial_accumulator_value, t=0)

    def step(self, x, g, state):
        t = state.t + 1
        g = self._decayed(x, g)
        lr_t = self.lr / (1 + (t - 1) * self.lr_decay)
        s = state.sum + g * g
        return x - lr_t * g / (np.sqrt(s) + self.eps), AdagradState(sum=s, t=t)


class RMSpropState(NamedTuple):
    v: np.ndarray  # moving average of g**2
    g_avg: np.ndarray  # moving average of g (used when centered)
    buf: np.ndarray  # momentum buffer
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class RMSprop(Optimizer):
    r"""v_t = alpha * v_{t-1} + (1 - alpha) * g_t**2;  x_t = x_{t-1} - lr * g_t / (sqrt(v_t) + eps).

    ``centered=True`` divides by the standard deviation ``sqrt(v_t - mean_t**2)`` instead; ``momentum > 0``
    accumulates ``b_t = momentum * b_{t-1} + g_t / (...)`` and steps by ``lr * b_t``.
    Taught in notebooks/07_adaptive_methods.ipynb. Tieleman & Hinton (2012), lecture 6e.
    """

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "alpha", _check("alpha", self.alpha, 0.0, 1.0))
        set_(self, "eps", _check("eps", self.eps, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0))
        set_(self, "momentum", _check("momentum", self.momentum, 0.0, 1.0))
        if not isinstance(self.centered, (bool, np.bool_)):
            raise ValueError(f"centered: expected True or False, got {self.centered!r}")

    def init(self, x):
        zeros = np.zeros_like(x, dtype=np.float64)
        return RMSpropState(v=zeros, g_avg=zeros, buf=zeros, t=0)

    def step(self, x, g, state):
        g = self._decayed(x, g)
        v = _ema(state.v, g * g, self.alpha)
        g_avg = _ema(state.g_avg, g, self.alpha) if self.centered else state.g_avg
        scale = np.sqrt(v - g_avg * g_avg if self.centered else v) + self.eps
        buf = self.momentum * state.buf + g / scale
        return x - self.lr * buf, RMSpropState(v=v, g_avg=g_avg, buf=buf, t=state.t + 1)


class AdadeltaState(NamedTuple):
    v: np.ndarray  # moving average of g**2
    u: np.ndarray  # moving average of squared updates
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class Adadelta(Optimizer):
    r"""v_t = rho v_{t-1} + (1-rho) g_t**2;  d_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t;
    u_t = rho u_{t-1} + (1-rho) d_t**2;  x_t = x_{t-1} - lr * d_t.

    The ratio of two RMS values gives the step the units of x (Zeiler's argument). Taught in
    notebooks/07_adaptive_methods.ipynb. Zeiler (2012).
    """

    lr: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "rho", _check("rho", self.rho, 0.0, 1.0))
        set_(self, "eps", _check("eps", self.eps, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0))

    def init(self, x):
        zeros = np.zeros_like(x, dtype=np.float64)
        return AdadeltaState(v=zeros, u=zeros, t=0)

    def step(self, x, g, state):
        g = self._decayed(x, g)
        v = _ema(state.v, g * g, self.rho)
        d = np.sqrt(state.u + self.eps) / np.sqrt(v + self.eps) * g
        u = _ema(state.u, d * d, self.rho)
        return x - self.lr * d, AdadeltaState(v=v, u=u, t=state.t + 1)


class AdamState(NamedTuple):
    m: np.ndarray  # moving average of g (first moment)
    v: np.ndarray  # moving average of g**2 (second moment)
    t: int


class AMSGradState(NamedTuple):
    m: np.ndarray  # moving average of g (first moment)
    v: np.ndarray  # moving average of g**2 (second moment)
    v_max: np.ndarray  # the largest v seen so far (AMSGrad divides by its root)
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class Adam(Optimizer):
    r"""m_t = b1 m_{t-1} + (1-b1) g_t;  v_t = b2 v_{t-1} + (1-b2) g_t**2;
    x_t = x_{t-1} - lr * m̂_t / (sqrt(v̂_t) + eps),  m̂_t = m_t / (1 - b1**t),  v̂_t = v_t / (1 - b2**t).

    Adam = momentum (m) + RMSprop (v) + bias correction. ``weight_decay`` adds the L2 term to the gradient
    (torch's Adam); ``bias_correction=False`` is a teaching switch that uses m_t and v_t uncorrected.
    ``amsgrad=True`` divides by the root of the running maximum of v_t instead of v_t itself (torch's
    ``amsgrad``: v_max_t = max(v_max_{t-1}, v_t), bias-corrected by 1 - b2**t); its denominator never shrinks,
    but 1 - b2**t still rises, so the effective rate can grow, by at most 1/sqrt(1 - b2).
    Taught in notebooks/07_adaptive_methods.ipynb. Kingma & Ba (2015); Reddi, Kale & Kumar (2018).
    """

    lr: float = 1e-3
    betas: tuple = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    bias_correction: bool = True
    amsgrad: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        try:
            beta1, beta2 = self.betas
        except (TypeError, ValueError):
            raise ValueError(f"betas: expected a pair (beta1, beta2), got {self.betas!r}") from None
        set_(
            self,
            "betas",
            (
                _check("betas[0]", beta1, 0.0, 1.0, high_open=True),
                _check("betas[1]", beta2, 0.0, 1.0, high_open=True),
            ),
        )
        set_(self, "eps", _check("eps", self.eps, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0))
        if not isinstance(self.bias_correction, (bool, np.bool_)):
            raise ValueError(f"bias_correction: expected True or False, got {self.bias_correction!r}")
        if not isinstance(self.amsgrad, (bool, np.bool_)):
            raise ValueError(f"amsgrad: expected True or False, got {self.amsgrad!r}")
        if self.amsgrad and type(self)._adam_step is not Adam._adam_step:
            raise ValueError(f"amsgrad: {type(self).__name__} is a teaching variant without AMSGrad; use Adam")

    def init(self, x):
        zeros = np.zeros_like(x, dtype=np.float64)
        if self.amsgrad:
            return AMSGradState(m=zeros, v=zeros, v_max=zeros, t=0)
        return AdamState(m=zeros, v=zeros, t=0)

    def _adam_step(self, x, g, state):
        beta1, beta2 = self.betas
        t = state.t + 1
        m = _ema(state.m, g, beta1)
        v = _ema(state.v, g * g, beta2)
        v_used = np.maximum(state.v_max, v) if self.amsgrad else v  # AMSGrad: the largest v so far
        # torch's order of operations: sqrt(v_hat) as sqrt(v) / sqrt(1 - b2**t), and m_hat folded into the step
        # size, so neither corrected moment is materialized.
        if self.bias_correction:
            denom = np.sqrt(v_used) / np.sqrt(1 - beta2**t) + self.eps
            step_size = self.lr / (1 - beta1**t)
        else:
            denom, step_size = np.sqrt(v_used) + self.eps, self.lr
        if self.amsgrad:
            return x - step_size * (m / denom), AMSGradState(m=m, v=v, v_max=v_used, t=t)
        return x - step_size * (m / denom), AdamState(m=m, v=v, t=t)

    def step(self, x, g, state):
        return self._adam_step(x, self._decayed(x, g), state)


@dataclasses.dataclass(frozen=True, eq=False)
class AdamW(Adam):
    r"""Decoupled weight decay: x ← x (1 - lr * weight_decay), then the Adam step with the plain gradient.

    Unlike Adam's ``weight_decay`` (an L2 term in g, which the adaptive scaling then shrinks), the decay here is
    the same relative shrinkage for every coordinate. Taught in notebooks/08_weight_decay.ipynb.
    Loshchilov & Hutter (2019), Algorithm 2; torch's AdamW multiplies the decay by lr.
    """

    weight_decay: float = 1e-2

    def step(self, x, g, state):
        return self._adam_step(x * (1 - self.lr * self.weight_decay), g, state)


# ---------------------------------------------------------------------------------------------------------------
# Other forms of momentum (notebooks/06_momentum.ipynb)
# ---------------------------------------------------------------------------------------------------------------


class HeavyBallState(NamedTuple):
    x_prev: np.ndarray  # the previous iterate x_{t-1} (x_0 itself before the first step)
    lr_prev: np.ndarray  # the learning rate of the previous step (used when rescale=True)
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class HeavyBall(Optimizer):
    r"""x_t = x_{t-1} - lr * g_t + momentum * (x_{t-1} - x_{t-2}),  x_{-1} = x_0 (the first step is plain GD).

    Polyak's heavy-ball form: the previous *displacement* carries on, damped by ``momentum``. For a constant
    lr it produces exactly the iterates of ``SGD(lr, momentum)``. Under a changing lr (``descend(...,
    lr_schedule=...)``) the two differ unless the momentum of step t is ``momentum * lr_t / lr_{t-1}``;
    ``rescale=True`` applies that factor (the state remembers the previous lr) and restores the equivalence.
    Taught in notebooks/06_momentum.ipynb. Polyak (1964).
    """

    lr: float = 1e-3
    momentum: float = 0.0
    rescale: bool = False

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "momentum", _check("momentum", self.momentum, 0.0, 1.0))
        if not isinstance(self.rescale, (bool, np.bool_)):
            raise ValueError(f"rescale: expected True or False, got {self.rescale!r}")

    def init(self, x):
        x = np.array(x, dtype=np.float64)
        return HeavyBallState(x_prev=x, lr_prev=np.zeros(()), t=0)

    def step(self, x, g, state):
        momentum = self.momentum
        if self.rescale and state.t > 0:
            # beta_t = beta * lr_t / lr_{t-1}; after a step with lr 0 there is no displacement to rescale
            lr_prev = np.asarray(state.lr_prev, dtype=np.float64)
            shape = np.broadcast(self.lr, lr_prev).shape
            ratio = np.divide(self.lr, lr_prev, out=np.zeros(shape), where=lr_prev > 0)
            momentum = momentum * ratio
        x_next = x - self.lr * g + momentum * (x - state.x_prev)
        lr_now = np.asarray(self.lr, dtype=np.float64).copy()
        return x_next, HeavyBallState(x_prev=np.array(x, dtype=np.float64), lr_prev=lr_now, t=state.t + 1)


class NesterovState(NamedTuple):
    w: np.ndarray  # the "real" iterate W_t
    v: np.ndarray  # the last step taken, Delta W_{t-1} = W_{t-1} - W_t (zero before the first step)
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class NesterovLookahead(Optimizer):
    r"""v_t = momentum * v_{t-1} + lr * grad f(W_{t-1} - momentum * v_{t-1});  W_t = W_{t-1} - v_t  (v_0 = 0).

    Nesterov's accelerated gradient in its look-ahead form: first coast along the previous step, then take
    the gradient step *from where you would land*. ``step(x, g, state)`` is given the gradient at ``x`` only,
    so the point this optimizer returns (and ``descend`` records, and evaluates the gradient at) is the
    look-ahead point ``x_t = W_t - momentum * v_{t-1}``; the real iterate ``W_t`` and the step ``v_t`` live in
    the state. With this change of variables the recorded points are exactly those of
    ``SGD(lr, momentum, nesterov=True)`` (torch's form). Taught in notebooks/06_momentum.ipynb.
    Nesterov (1983); Sutskever et al. (2013).
    """

    lr: float = 1e-3
    momentum: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "momentum", _check("momentum", self.momentum, 0.0, 1.0))

    def init(self, x):
        x = np.array(x, dtype=np.float64)
        return NesterovState(w=x, v=np.zeros_like(x), t=0)

    def step(self, x, g, state):
        """``x`` must be the look-ahead point ``state.w - momentum * state.v`` (the previous step's output)."""
        v = self.momentum * state.v + self.lr * g  # g is the gradient at the look-ahead point x
        w = state.w - v
        return w - self.momentum * v, NesterovState(w=w, v=v, t=state.t + 1)


class EMAMomentumState(NamedTuple):
    m: np.ndarray  # exponential moving average of the gradients (starts at 0)
    t: int


@dataclasses.dataclass(frozen=True, eq=False)
class EMAMomentum(Optimizer):
    r"""m_t = beta * m_{t-1} + (1 - beta) * g_t  (m_0 = 0);  x_t = x_{t-1} - lr * m_t.

    The averaged ("dampened") form of momentum. It takes exactly the steps of ``SGD(lr=lr * (1 - beta),
    momentum=beta)``: averaging shrinks the gradient by (1 - beta), so at the same lr its steps are (1 - beta)
    times smaller. ``lr=1`` is the form written without a learning rate, whose hidden lr is 1 - beta.
    Taught in notebooks/06_momentum.ipynb.
    """

    lr: float = 1e-3
    beta: float = 0.9

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "beta", _check("beta", self.beta, 0.0, 1.0, high_open=True))

    def init(self, x):
        return EMAMomentumState(m=np.zeros_like(x, dtype=np.float64), t=0)

    def step(self, x, g, state):
        m = _ema(state.m, g, self.beta)
        return x - self.lr * m, EMAMomentumState(m=m, t=state.t + 1)


# ---------------------------------------------------------------------------------------------------------------
# Teaching variants, including the seeds' mistakes (notebooks/07_adaptive_methods.ipynb)
# ---------------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, eq=False)
class SeedAdagrad(Optimizer):
    r"""A seed's Adagrad as written, kept to show why it fails: c_n = c_{n-1} + lr * f(x_{n-1});
    x_n = x_{n-1} - lr / (sqrt(c_n) + eps) * f(x_{n-1}).

    Two mistakes: the accumulator sums lr times the function VALUE instead of squared gradients, and the step
    follows the value f(x) (the same number in every coordinate) instead of the gradient. The rule needs the
    value, so it takes ``value_fn`` (e.g. ``objective.value``, vectorized over ``(..., dim)``); the gradient
    ``g`` passed to ``step`` is ignored. Where c < 0 the root is undefined and the step is NaN, which
    ``descend`` flags as divergence. The correct rule is :class:`Adagrad`. Shown in
    notebooks/07_adaptive_methods.ipynb (erratum E12).
    """

    value_fn: object = None
    lr: float = 1e-2
    eps: float = 1e-10

    def __post_init__(self):
        if not callable(self.value_fn):
            raise ValueError(f"value_fn: expected a function of x such as objective.value, got {self.value_fn!r}")
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "eps", _check("eps", self.eps, 0.0))

    def init(self, x):
        return AdagradState(sum=np.zeros_like(x, dtype=np.float64), t=0)

    def step(self, x, g, state):
        x = np.asarray(x, dtype=np.float64)
        value = np.broadcast_to(np.asarray(self.value_fn(x), dtype=np.float64)[..., None], x.shape)
        c = state.sum + self.lr * value
        with np.errstate(invalid="ignore"):
            root = np.sqrt(c)
        return x - self.lr / (root + self.eps) * value, AdagradState(sum=c, t=state.t + 1)


@dataclasses.dataclass(frozen=True, eq=False)
class SeedAdam(Adam):
    r"""Adam with a seed's bias correction: m̂_t = m_t / (1 - b1), v̂_t = v_t / (1 - b2), without the power t.

    It agrees with :class:`Adam` on the first step only; with a constant gradient its step is
    (1 - b1**t)/(1 - b1) / sqrt((1 - b2**t)/(1 - b2)) times Adam's, tending to sqrt(1 - b2)/(1 - b1).
    Shown in notebooks/07_adaptive_methods.ipynb (erratum E13).
    """

    def _adam_step(self, x, g, state):
        beta1, beta2 = self.betas
        t = state.t + 1
        m = _ema(state.m, g, beta1)
        v = _ema(state.v, g * g, beta2)
        m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
        return x - self.lr * m_hat / (np.sqrt(v_hat) + self.eps), AdamState(m=m, v=v, t=t)


@dataclasses.dataclass(frozen=True, eq=False)
class AdagradEpsInRoot(Adagrad):
    r"""Adagrad with eps inside the root: x_t = x_{t-1} - lr_t * g_t / sqrt(s_t + eps).

    torch and :class:`Adagrad` use sqrt(s_t) + eps; the two differ once sqrt(s_t) is comparable to sqrt(eps).
    Shown in notebooks/07_adaptive_methods.ipynb (convention note E43).
    """

    def step(self, x, g, state):
        t = state.t + 1
        g = self._decayed(x, g)
        lr_t = self.lr / (1 + (t - 1) * self.lr_decay)
        s = state.sum + g * g
        return x - lr_t * g / np.sqrt(s + self.eps), AdagradState(sum=s, t=t)


@dataclasses.dataclass(frozen=True, eq=False)
class RMSpropEpsInRoot(RMSprop):
    r"""RMSprop with eps inside the root: x_t = x_{t-1} - lr * g_t / sqrt(v_t + eps).

    torch and :class:`RMSprop` use sqrt(v_t) + eps. Shown in notebooks/07_adaptive_methods.ipynb (E43).
    """

    def step(self, x, g, state):
        g = self._decayed(x, g)
        v = _ema(state.v, g * g, self.alpha)
        g_avg = _ema(state.g_avg, g, self.alpha) if self.centered else state.g_avg
        scale = np.sqrt((v - g_avg * g_avg if self.centered else v) + self.eps)
        buf = self.momentum * state.buf + g / scale
        return x - self.lr * buf, RMSpropState(v=v, g_avg=g_avg, buf=buf, t=state.t + 1)


@dataclasses.dataclass(frozen=True, eq=False)
class AdamEpsInRoot(Adam):
    r"""Adam with eps inside the root: x_t = x_{t-1} - lr * m̂_t / sqrt(v̂_t + eps).

    The Adam paper, torch and :class:`Adam` use sqrt(v̂_t) + eps; the steps differ when |g| is about
    sqrt(eps) = 1e-4 or smaller (eps = 1e-8). Shown in notebooks/07_adaptive_methods.ipynb (E43).
    """

    def _adam_step(self, x, g, state):
        beta1, beta2 = self.betas
        t = state.t + 1
        m = _ema(state.m, g, beta1)
        v = _ema(state.v, g * g, beta2)
        if self.bias_correction:
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        else:
            m_hat, v_hat = m, v
        return x - self.lr * m_hat / np.sqrt(v_hat + self.eps), AdamState(m=m, v=v, t=t)


@dataclasses.dataclass(frozen=True, eq=False)
class DecoupledSGD(Optimizer):
    r"""Gradient descent with decoupled weight decay in a seed's form: x_t = (1 - wd) x_{t-1} - lr g_t.

    The decay is not multiplied by lr (torch's AdamW multiplies it). With ``SGD(lr, weight_decay=wd / lr)``
    (an L2 term) the trajectories coincide. With ``momentum > 0`` the buffer holds only loss gradients,
    b_t = momentum * b_{t-1} + g_t (b_1 = g_1), and x_t = (1 - wd) x_{t-1} - lr b_t; then no L2 coefficient
    reproduces the path (torch has no such SGD: its ``SGD(weight_decay=...)`` puts the L2 term in the buffer).
    Taught in notebooks/08_weight_decay.ipynb; Loshchilov & Hutter (2019), Algorithm 1 (SGDW).
    """

    lr: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "lr", _check("lr", self.lr, 0.0))
        set_(self, "weight_decay", _check("weight_decay", self.weight_decay, 0.0, 1.0))
        set_(self, "momentum", _check("momentum", self.momentum, 0.0, 1.0))

    def init(self, x):
        return SGDState(buf=np.zeros_like(x, dtype=np.float64), t=0)

    def step(self, x, g, state):
        if isinstance(self.momentum, float) and self.momentum == 0:
            return (1 - self.weight_decay) * x - self.lr * g, SGDState(buf=state.buf, t=state.t + 1)
        buf = np.array(g, dtype=np.float64) if state.t == 0 else self.momentum * state.buf + g
        return (1 - self.weight_decay) * x - self.lr * buf, SGDState(buf=buf, t=state.t + 1)


#: The optimizers by name.
OPTIMIZERS = {cls.__name__: cls for cls in (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW)}
