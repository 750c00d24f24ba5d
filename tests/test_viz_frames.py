"""The explorers' frames, layers, sliders and descriptions, without a browser.

- frames: a simulated browser applies what an ipympl canvas sends (a whole frame replaces the canvas, a
  difference frame is drawn over it) and loses frames the way ipympl's front end does (a frame that arrives
  while the previous one loads replaces it); the canvas must end equal to the kernel's figure;
- layers: the blitted figure equals a full redraw (savefig) pixel for pixel;
- sliders: values on the round grid, defaults exact, names that say what a control sets;
- descriptions: where a run ends, in words.
"""

import io

import numpy as np
import pytest
from explorer_support import strict  # noqa: F401 - autouse fixture
from PIL import Image

import course_lib as cl
import course_lib.viz as viz
from course_lib.viz import explorers_frames as frames
from course_lib.viz.explorers_common import _gap_text, _verdict
from course_lib.viz.explorers_sliders import GridLogSlider, GridSlider, accessible_name, make_slider, widen_to

ipympl = pytest.importorskip("ipympl")


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Browser:
    """What ipympl's front end does with the frames: it keeps the newest one; a lost frame is never drawn."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.pixels = None
        self.received = []

    def send_binary(self, data):
        self.received.append((self.canvas._current_image_mode, data))

    def send_json(self, content):
        pass

    def show(self, keep):
        """Draw the frames received since the last call, losing those where ``keep`` is False (the newest
        one is always drawn: nothing arrives after it)."""
        for i, (mode, data) in enumerate(self.received):
            if not keep[i] and i < len(self.received) - 1:
                continue
            with Image.open(io.BytesIO(data)) as image:
                frame = np.asarray(image.convert("RGBA")).copy()
            if mode == "full" or self.pixels is None:
                self.pixels = frame
            else:
                opaque = frame[..., 3] > 0
                self.pixels[opaque] = frame[opaque]
        self.received = []
        return self.pixels


def _explorer(design, clock):
    ellipse = cl.surface("ellipse")
    opts = {"a": cl.optimizers.SGD(lr=0.25), "b": cl.optimizers.SGD(lr=0.45)}
    ex = viz.race_explorer(ellipse, opts, x0=[2.0, 1.5], steps=30, canvas="widget")
    sender = ex.fig.canvas.get_diff_image.__self__
    sender.design, sender.clock = design, clock
    browser = Browser(ex.fig.canvas)
    ex.fig.canvas.manager.web_sockets.append(browser)
    ex.fig.canvas.draw()  # the first frame, as the browser asks for it
    return ex, sender, browser


def _kernel_pixels(ex):
    return np.asarray(ex.fig.canvas.get_renderer().buffer_rgba())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_robust_frames_never_leave_stale_pixels(seed):
    rng = np.random.default_rng(seed)
    clock = Clock()
    ex, sender, browser = _explorer("robust", clock)
    browser.show([True])
    slider = ex.sliders["a: lr"]
    for _burst in range(4):
        clock.now += 2 * frames.QUIET  # the slider rested: the last frame is the base
        for _ in range(int(rng.integers(2, 8))):
            clock.now += 0.03
            slider.value = float(10 ** (np.log10(slider.value) + slider.step * rng.choice([-3, -1, 1, 3])))
        kept = rng.random(len(browser.received)) < 0.4  # most frames of the burst are lost
        np.testing.assert_array_equal(browser.show(kept), _kernel_pixels(ex))
    assert sender.sent["diff"][0] > 0


def test_plain_difference_frames_can_leave_stale_pixels():
    """The failure the robust frames prevent: a lost plain difference frame leaves its pixels behind."""
    clock = Clock()
    ex, sender, browser = _explorer("rest", clock)
    browser.show([True])
    slider = ex.sliders["a: lr"]
    for k in (10, 20, 30):
        slider.value = float(10 ** (np.log10(slider.value) + slider.step * k))
    shown = browser.show([False, False, True])
    assert np.any(shown != _kernel_pixels(ex))


def test_difference_frames_are_small():
    clock = Clock()
    ex, sender, browser = _explorer("robust", clock)
    full_bytes = sender.sent["full"][1] / sender.sent["full"][0]
    clock.now += 2 * frames.QUIET
    slider = ex.sliders["a: lr"]
    slider.value = float(10 ** (np.log10(slider.value) + slider.step))
    assert sender.sent["diff"][0] == 1
    assert sender.sent["diff"][1] < full_bytes / 4


def test_png_round_trip():
    rng = np.random.default_rng(0)
    buff = rng.integers(0, 2**32, size=(7, 5), dtype=np.uint64).astype(np.uint32)
    with Image.open(io.BytesIO(frames._png(buff, 6))) as image:
        back = np.asarray(image)
    np.testing.assert_array_equal(back, buff.view(np.uint8).reshape(7, 5, 4))


def _fresh(fig):
    with io.BytesIO() as buf:
        fig.savefig(buf, format="png", dpi=fig.dpi)
        buf.seek(0)
        with Image.open(buf) as image:
            return np.asarray(image.convert("RGBA"))


@pytest.mark.parametrize("kind", ["race", "sweep", "descent"])
def test_blitted_figure_equals_a_full_redraw(kind):
    """Static artists meant to lie above moving ones (a legend, the start marker, the best cell's star)
    stay above them on screen, as in a saved figure."""
    if kind == "race":
        opts = {"a": cl.optimizers.SGD(lr=0.25), "b": cl.optimizers.Adam(lr=0.3)}
        ex = viz.race_explorer(cl.surface("ellipse"), opts, x0=[2.0, 1.5], steps=30, canvas="agg")
        slider, delta = ex.sliders["a: lr"], None
    elif kind == "sweep":
        ex = viz.sweep_explorer(
            cl.surface("bowl"),
            cl.optimizers.SGD(lr=0.1),
            x0=[0.0, 0.0],
            steps=20,
            x_param=("lr", np.geomspace(1e-2, 2.0, 8)),
            y_param=("momentum", [0.0, 0.5, 0.9]),
            canvas="agg",
        )
        slider, delta = ex.sliders["step"], -4
    else:
        ex = viz.descent_explorer(
            cl.surface("ill_conditioned"),
            "SGD",
            x0=[-9.0, 1.5],
            steps=20,
            show_state=True,
            params={"lr": (0.005, 0.2, 0.03, "log"), "momentum": (0.0, 0.99, 0.5)},
            canvas="agg",
        )
        slider, delta = ex.sliders["momentum"], 0.1
    for _ in range(3):
        if delta is None:
            slider.value = float(10 ** (np.log10(slider.value) + slider.step * 5))
        else:
            slider.value = slider.value + delta
    shown = _kernel_pixels(ex).astype(int)
    fresh = _fresh(ex.fig).astype(int)
    assert shown.shape == fresh.shape
    assert np.mean(np.abs(shown - fresh).max(axis=-1) > 16) == 0


def test_slider_values_are_round_grid_values():
    s = make_slider("x0", (-2.5, 2.0, 0.0))
    assert isinstance(s, GridSlider)
    s.value = -2.5 + 50 * s.step  # what a browser writes back: -2.220446049250313e-16
    assert s.value == 0.0
    s.value = 0.1 + 0.2
    assert s.value == 0.3 or s.value == round(0.3 / s.step) * s.step
    assert repr(s.value) == repr(round(s.value, 6))
    third = make_slider("m", (0.0, 1.0, 1 / 3))
    assert third.value == 1 / 3  # a chapter's default is kept exactly
    log = make_slider("lr", (1e-3, 1.0, 0.1, "log"))
    assert isinstance(log, GridLogSlider) and log.value == 0.1
    log.value = 10 ** (np.log10(0.1) + 3 * log.step)
    assert log.value == float(f"{log.value:.{log.digits}g}")
    widen_to(s, 7.3)
    assert s.max >= 7.3 and s.value == 7.3 and s.max == round(s.max, 6)


def test_controls_are_named_by_what_they_set():
    assert accessible_name("lr", "log") == "lr (learning rate), log scale"
    assert accessible_name("Adam: lr") == "Adam: lr (learning rate)"
    assert accessible_name("x0") == "x0 (start x)"
    assert make_slider("momentum", (0.0, 0.99, 0.5)).tooltip == "momentum (momentum coefficient)"
    assert make_slider("cooling", False).tooltip.startswith("cooling")


def test_readout_never_prints_round_off_digits():
    assert _gap_text(7.69e-26, 6e-15) == "< 6e-15 (round-off)"
    assert _gap_text(3.21e-4, 6e-15) == "0.000321"


def test_descriptions_say_where_a_run_ends():
    f = cl.surface("parabola")
    ex = viz.descent_explorer(f, "SGD", x0=[2.0], steps=60, params={"lr": (0.01, 1.5, 0.3, "log")}, canvas="agg")
    assert "converges" in ex.summary.value
    ex.sliders["lr"].value = 1.0  # x -> -x on a parabola: an oscillation that never settles
    assert "oscillates" in ex.summary.value
    ex.sliders["lr"].value = 1.5
    assert "diverges" in ex.summary.value or "moves away" in ex.summary.value
    path = cl.descend(f, cl.optimizers.SGD(lr=0.1), np.array([2.0]), 50)
    assert _verdict(path, 2.0).startswith("converges")  # f* = 2 at x = -1
