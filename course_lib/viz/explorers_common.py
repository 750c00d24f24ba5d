"""Pieces shared by the explorer families: optimizer specs, starts, windows, the value scale, messages."""

from __future__ import annotations

import dataclasses
import html
import numbers

import numpy as np
from matplotlib.colors import LogNorm, SymLogNorm
from matplotlib.ticker import Locator, NullLocator

from .. import optimizers as _optimizers
from . import plots
from .plots import VERMILLION

_FLOOR = 1e-16  # gaps are floored at this fraction of the starting gap (round-off level)

_BETAS = {"beta1": 0, "beta2": 1}


def _optimizer_spec(optimizer, name="optimizer"):
    """(class, base hyperparameters) from a class name, a class or an instance."""
    if isinstance(optimizer, str):
        cls = getattr(_optimizers, optimizer, None)
        if not (isinstance(cls, type) and hasattr(cls, "step") and hasattr(cls, "init")):
            known = [n for n in getattr(_optimizers, "__all__", []) if isinstance(getattr(_optimizers, n), type)]
            known = [n for n in known if hasattr(getattr(_optimizers, n), "step")]
            raise ValueError(f"{name}: unknown optimizer {optimizer!r}; available: {', '.join(known)}")
        return cls, {}
    if isinstance(optimizer, type):
        if not (hasattr(optimizer, "step") and hasattr(optimizer, "init") and dataclasses.is_dataclass(optimizer)):
            raise ValueError(f"{name}: expected an optimizer class with init/step, got {optimizer!r}")
        return optimizer, {}
    if hasattr(optimizer, "step") and hasattr(optimizer, "init") and dataclasses.is_dataclass(optimizer):
        return type(optimizer), dict(optimizer.hyperparameters)
    raise ValueError(f"{name}: expected an optimizer name, class or instance, got {optimizer!r}")


def _fields(cls):
    return {f.name: f for f in dataclasses.fields(cls)}


def _check_names(cls, names, parameter):
    fields = _fields(cls)
    for n in names:
        if n in _BETAS and "betas" in fields:
            continue
        if n not in fields:
            raise ValueError(
                f"{parameter}: {cls.__name__} has no hyperparameter {n!r}; it has {', '.join(fields)}"
                + (" (and beta1, beta2)" if "betas" in fields else "")
            )


def _build(cls, base, changes):
    """``cls(**base, **changes)`` where ``beta1``/``beta2`` set one entry of ``betas``."""
    kwargs = dict(base)
    betas = None
    for name, value in changes.items():
        if name in _BETAS:
            if betas is None:
                default = kwargs.get("betas", _fields(cls)["betas"].default)
                betas = list(default)
            betas[_BETAS[name]] = value
        else:
            kwargs[name] = value
    if betas is not None:
        kwargs["betas"] = tuple(betas)
    return cls(**kwargs)


def _start(x0, dim, name="x0"):
    try:
        x = np.array(x0, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {dim} number(s), got {x0!r}") from None
    if x.size != dim:
        raise ValueError(f"{name}: the objective has dimension {dim}, but {name} has {x.size} coordinate(s)")
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: every coordinate must be finite, got {x0!r}")
    return x


def _steps(steps):
    """``steps`` checked: a whole number of steps, at least one."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps: expected a whole number >= 1, got {steps!r}")
    return steps


def _minima(objective):
    m = np.asarray(getattr(objective, "minima", np.empty((0, objective.dim))), dtype=np.float64)
    return m.reshape(-1, objective.dim)


def _window(objective, x0, xlim, ylim):
    """The plotting window: given limits, else a window around the start and the known minima."""
    minima = _minima(objective)
    include = minima if minima.size else -x0[None, :]  # no minimum known: centre the window on the origin
    auto_x, auto_y = plots.auto_limits(x0[None, :], include=include, margin=0.25, min_aspect=0.8)
    xlim = plots._limits("xlim", xlim) if xlim is not None else auto_x
    if objective.dim == 1:
        if ylim is not None:
            return xlim, plots._limits("ylim", ylim)
        # the values between the start and the minima set the height; the curve may leave the view beyond them
        points = np.concatenate([x0, minima.ravel()])
        lo, hi = (points.min(), points.max()) if np.ptp(points) > 0 else xlim
        grid = np.linspace(max(lo, xlim[0]), min(hi, xlim[1]), 200)
        return xlim, plots._pad(plots._values(objective, grid[:, None]).compressed(), 0.15)
    return xlim, (plots._limits("ylim", ylim) if ylim is not None else auto_y)


def _start_specs(objective, x0, xlim, ylim):
    specs = {}
    for i, (var, lim) in enumerate(zip(plots._names(objective), (xlim, ylim))):
        lo, hi = min(lim[0], x0[i]), max(lim[1], x0[i])
        specs[f"{var}0"] = (lo, hi, x0[i])
    return specs


class _SymlogTicks(Locator):
    """Ticks for a symlog axis: 0 and signed powers of ten outside the linear band, at most ``n`` of them."""

    def __init__(self, linthresh, n=7):
        self.linthresh, self.n = linthresh, n

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        vmin, vmax = sorted((vmin, vmax))
        first = int(np.ceil(np.log10(self.linthresh * 10)))
        top = int(np.floor(np.log10(max(abs(vmin), abs(vmax), self.linthresh * 10))))
        powers = 10.0 ** np.arange(first, top + 1)
        ticks = np.concatenate([-powers[::-1], [0.0], powers])
        ticks = ticks[(ticks >= vmin) & (ticks <= vmax)]
        stride = max(1, int(np.ceil(len(ticks) / self.n)))
        zero = int(np.argmin(np.abs(ticks))) if ticks.size else 0
        return ticks[(np.arange(ticks.size) - zero) % stride == 0]


class _ValueScale:
    """How values are shown: the gap f - f* on a log axis when a minimum is known, else f on a symlog axis."""

    def __init__(self, objective, x0):
        self.f_star = plots.f_star(objective)
        with np.errstate(all="ignore"):
            f0 = float(np.asarray(objective.value(x0[None, :])).reshape(-1)[0])
        f0 = f0 if np.isfinite(f0) else 1.0
        if self.f_star is not None:
            gap0 = abs(f0 - self.f_star)
            self.floor = max(gap0, 1.0) * _FLOOR
            # One scale for every run, so runs compare: 8 decades below the starting gap to 100x above it.
            # expand_ylim widens it (never shrinks) when a run goes further, down to the round-off floor.
            top = np.ceil(np.log10(max(gap0, self.floor * 1e6)))
            self.ylim = (10 ** max(top - 8, np.floor(np.log10(self.floor))), 10 ** (top + 2))
            self.label = "f(x_t) − f*  (log scale)"
        else:
            size = max(abs(f0), 1e-8)
            self.linthresh = size * 0.1
            self.ylim = (-10 * size, 10 * size)
            self.label = "f(x_t)  (symlog scale)"

    def setup(self, ax):
        if self.f_star is not None:
            ax.set_yscale("log")
        else:
            ax.set_yscale("symlog", linthresh=self.linthresh)
            ax.yaxis.set_major_locator(_SymlogTicks(self.linthresh))
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(self.ylim)
        ax.set_ylabel(self.label)

    def __call__(self, values):
        values = np.asarray(values, dtype=np.float64)
        if self.f_star is None:
            return values
        with np.errstate(all="ignore"):
            return np.maximum(values - self.f_star, self.floor)

    def norm(self, data, start):
        """A colour scale for shown values ``data``: from the best value to ten times the starting one."""
        data = np.asarray(data, dtype=np.float64)
        data = data[np.isfinite(data)]
        start = float(np.max(np.asarray(start, dtype=np.float64)))
        if self.f_star is not None:
            hi = max(start * 10, self.floor * 10)
            lo = min(max(data.min(), hi * 1e-16), hi / 10) if data.size else self.floor
            return LogNorm(vmin=lo, vmax=hi, clip=True)
        lo, hi = (data.min(), max(data.max(), start)) if data.size else (-1.0, 1.0)
        if hi <= lo:
            lo, hi = lo - 1.0, hi + 1.0
        return SymLogNorm(linthresh=self.linthresh, vmin=lo, vmax=hi, clip=True)


def _shown(path, step):
    """Index of the last iterate to show at ``step``: a diverged run stops at its last good point."""
    k = min(int(step), path.steps)
    if bool(np.asarray(path.diverged)):
        k = min(k, max(int(path.diverged_at) - 1, 0))
    return k


def _divergence(path):
    return int(path.diverged_at) if bool(np.asarray(path.diverged)) else None


def _lr_text(optimizer):
    lr = getattr(optimizer, "lr", None)
    return f"lr = {float(lr):.3g} too large" if lr is not None and np.ndim(lr) == 0 else "steps too large"


def _message(ax):
    return ax.text(
        0.02,
        0.97,
        "",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=9,
        color=VERMILLION,
        fontweight="bold",
        zorder=10,
        visible=False,
        bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=VERMILLION, alpha=0.92),
    )


def _set_message(text_artist, text):
    text_artist.set_text(text or "")
    text_artist.set_visible(bool(text))


def _curve_points(objective, xs):
    """(x, f(x)) pairs for drawing a 1-D path on the curve."""
    with np.errstate(all="ignore"):
        f = np.asarray(objective.value(xs.reshape(-1, 1)), dtype=np.float64).reshape(-1)
    return xs.reshape(-1), f


_MARKER_SIGNS = {"o": "&#9679;", "s": "&#9632;", "^": "&#9650;", "D": "&#9670;", "v": "&#9660;", "P": "&#10010;"}
_MARKER_SIGNS.update({"X": "&#10006;", "p": "&#11039;"})


def _legend_html(title, entries, colors=None, markers=None):
    """A one-line legend: (a coloured sign in the series' marker shape,) the label and its current value for
    every entry."""
    colors, markers = colors or {}, markers or {}

    def sign(label):
        shape = _MARKER_SIGNS.get(markers.get(label), "&#9632;")
        return f'<span style="color:{colors[label]}" aria-hidden="true">{shape}</span> '

    items = "".join(
        '<span style="margin-right:1.2em;white-space:nowrap">'
        + (sign(label) if label in colors else "")
        + f"{html.escape(label)}: <b>{html.escape(text)}</b></span>"
        for label, text in entries
    )
    style = "font-family:monospace;font-size:12px;line-height:1.5"
    return f'<div style="{style}">{html.escape(title)} &nbsp; {items}</div>'


def _gap_text(gap, floor):
    """``f - f*`` as the readout prints it: below the value panel's floor (round-off level) it is a bound,
    never digits that the panel does not show and that depend on round-off."""
    gap = float(gap)
    if not np.isfinite(gap):
        return "inf"
    if abs(gap) < floor:
        return f"< {floor:.1g} (round-off)"
    return f"{gap:.3g}"


def _verdict(path, f_star=None, floor=0.0):
    """Where a run ends, in words: "diverges at step 12", "converges", "is still descending", "does not
    converge"; with ", zig-zagging" when most of its last steps reverse direction (an oscillation)."""
    if path is None:
        return "has an invalid setting"
    d = _divergence(path)
    if d is not None:
        return f"diverges at step {d}"
    values = np.asarray(path.values, dtype=np.float64)
    start, end = float(values[0]), float(values[-1])
    if f_star is not None:
        gap0, gap = max(start - f_star, 0.0), max(end - f_star, 0.0)
        if gap <= max(floor, 1e-12 * max(gap0, 1.0)):
            text = "converges to the minimum"
        elif gap < 1e-3 * gap0:
            text = "converges"
        elif gap < 0.5 * gap0:
            text = "is still descending"
        elif gap <= 1.5 * gap0:
            text = "does not converge"
        else:
            text = "moves away from the minimum"
    else:
        scale = max(abs(start), 1e-12)
        text = "descends" if end < start - 1e-3 * scale else "does not descend"
    xs = np.asarray(path.xs, dtype=np.float64).reshape(len(values), -1)
    moves = np.diff(xs[-11:], axis=0)
    if len(moves) >= 3:
        dots = np.sum(moves[1:] * moves[:-1], axis=1)
        sizes = np.linalg.norm(moves, axis=1)
        moving = sizes[1:] * sizes[:-1] > 1e-24 * max(float(np.max(sizes)) ** 2, 1e-300)
        if moving.sum() >= 3 and np.mean(dots[moving] < 0) >= 0.6:
            text = "oscillates and does not converge" if text == "does not converge" else text + ", zig-zagging"
    return text


def _point(x):
    return "(" + ", ".join(f"{float(v):.3g}" for v in np.ravel(x)) + ")"


def _scale_functions(ax):
    """(forward, inverse) of ``ax``'s y scale, e.g. log10 and 10**x for a log axis."""
    scale = ax.get_yscale()
    if scale == "linear":
        return (lambda v: np.asarray(v, dtype=np.float64)), (lambda v: np.asarray(v, dtype=np.float64))
    if scale == "log":
        return (lambda v: np.log10(np.asarray(v, dtype=np.float64))), (lambda v: 10.0 ** np.asarray(v))
    transform = ax.yaxis.get_transform()
    inverted = transform.inverted()
    return (
        lambda v: transform.transform(np.reshape(np.asarray(v, dtype=np.float64), (-1, 1))).ravel(),
        lambda v: inverted.transform(np.reshape(np.asarray(v, dtype=np.float64), (-1, 1))).ravel(),
    )


def _expand_ylim(ax, lo, hi, margin, ylims):
    """Widen ``ax``'s y-limits to include ``[lo, hi]`` (see ExplorerBase.expand_ylim); ``ylims`` remembers the
    limits set here, so a view the user zoomed is left alone. Returns True if the limits changed."""
    current = ax.get_ylim()
    last = ylims.get(id(ax), current)
    if not np.allclose(current, last, rtol=1e-9, atol=0):
        return False
    forward, inverse = _scale_functions(ax)
    with np.errstate(all="ignore"):
        a, b = sorted(forward([lo, hi]))
        ca, cb = sorted(forward(current))
    ylims[id(ax)] = current
    if not (np.isfinite(a) and np.isfinite(b)) or (a >= ca and b <= cb):
        return False
    if ax.get_yscale() != "log":  # linear or symlog: a margin proportional to the span
        margin = margin * 0.05 * max(b - a, cb - ca)
    na, nb = min(ca, a - margin), max(cb, b + margin)
    if ax.get_yscale() == "log":
        na, nb = np.floor(na), np.ceil(nb)
    with np.errstate(all="ignore"):
        new = tuple(inverse([na, nb]))
    if not np.isfinite(new).all():
        return False
    ax.set_ylim(new)
    ylims[id(ax)] = ax.get_ylim()
    return True
