"""What an explorer sends to the browser after each update: only the pixels that changed, and never stale ones.

ipympl's browser side shows a frame when its PNG has loaded; a frame that arrives while the previous one is still
loading replaces it, so the previous one is never drawn. With plain difference frames (pixels changed since the
previous frame) a lost frame leaves its pixels stale on screen. Sending whole frames avoids that, at 4 to 10 times
the bytes.

Here every difference frame holds every pixel that changed since a *base* frame the browser is known to have:
drawn over the base and over any subset of the frames sent since, it gives exactly the current figure. The newest
frame is never replaced (nothing comes after it), so whatever was lost on the way, the canvas ends equal to the
kernel's figure. A frame becomes the base once nothing followed it for ``QUIET`` seconds (much longer than a PNG
takes to arrive and load); until then a whole frame (the first one, after a resize, zoom or new axis limits) is
followed by whole frames.

``DESIGNS`` names the alternatives measured by ``benchmarks/bench_remote.py``: ``"full"`` (every frame whole),
``"rest"`` (plain differences, and one whole frame once the sliders rest) and ``"robust"`` (the default, above).
"""

from __future__ import annotations

import base64
import struct
import time
import warnings
import zlib

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots

__all__ = ["FrameSender", "DESIGNS", "QUIET"]

_WIDGET_BACKENDS = {"widget", "ipympl", "module://ipympl.backend_nbagg"}
_INLINE_BACKENDS = {"inline", "module://matplotlib_inline.backend_inline"}

DESIGNS = ("robust", "rest", "full")
#: Seconds without a frame after which the last frame sent is the new base.
QUIET = 1.0
#: Seconds of rest after which the "rest" design sends one whole frame.
REST = 0.25
#: zlib levels of the PNG frames: difference frames are mostly zeros and compress well at the default
#: level; whole frames (rare: the first, a zoom, new axis limits) are sent at level 1, several times faster.
DIFF_LEVEL, FULL_LEVEL = 6, 1


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(buff, level):
    """An RGBA PNG of ``buff`` (uint32 pixels), written directly: no row filter (a difference frame is mostly
    transparent zeros, which deflate alone packs best) and one deflate pass; about two thirds of the bytes of
    PIL's default encoding, in less time."""
    h, w = buff.shape
    rows = np.empty((h, 4 * w + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" on every row
    rows[:, 1:] = buff.view(np.uint8).reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
        + _chunk(b"IEND", b"")
    )


class FrameSender:
    """Takes over ``canvas.get_diff_image`` of an ipympl canvas (called by matplotlib for every frame).

    ``sent`` counts the frames and bytes by mode (``{"full": [n, bytes], "diff": [n, bytes]}``).
    """

    def __init__(self, canvas, design="robust", *, quiet=None, clock=time.monotonic):
        if design not in DESIGNS:
            raise ValueError(f"design: expected one of {DESIGNS}, got {design!r}")
        self.canvas, self.design, self.clock = canvas, design, clock
        self.quiet = QUIET if quiet is None else float(quiet)
        self.base = self.mask = self.last = None
        self.last_time = -np.inf
        self.whole_until_quiet = True
        self.sent = {"full": [0, 0], "diff": [0, 0]}
        self._timer = None
        canvas.get_diff_image = self.frame

    def frame(self):
        """The next PNG to send (None when nothing changed); sets the canvas's image mode before it."""
        canvas = self.canvas
        if not canvas._png_is_old:
            return None
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        buff = pixels.view(np.uint32).squeeze(2).copy()
        now = self.clock()
        forced = bool(canvas._force_full)
        canvas._force_full = False
        canvas._png_is_old = False
        if self.design == "robust" and self.last is not None and now - self.last_time >= self.quiet:
            self.base, self.mask, self.whole_until_quiet = self.last, None, False
        full = (
            forced
            or self.design == "full"
            or self.last is None
            or self.last.shape != buff.shape
            or (pixels[:, :, 3] != 255).any()  # a transparent pixel cannot be drawn over an old one
        )
        if self.design == "robust":
            full = full or self.whole_until_quiet or self.base is None or self.base.shape != buff.shape
        if full:
            mode, output = "full", buff
            self.whole_until_quiet = True
            self.base = self.mask = None
        elif self.design == "robust":
            changed = buff != self.base
            self.mask = changed if self.mask is None else (self.mask | changed)
            mode, output = "diff", np.where(self.mask, buff, 0)
        else:
            mode, output = "diff", np.where(buff != self.last, buff, 0)
        canvas.set_image_mode(mode)
        canvas._last_buff = buff  # ipympl's snapshot for a notebook saved before the browser connected
        self.last, self.last_time = buff, now
        data = _png(output, FULL_LEVEL if mode == "full" else DIFF_LEVEL)
        self.sent[mode][0] += 1
        self.sent[mode][1] += len(data)
        if self.design == "rest" and mode == "diff":
            self._rest_later()
        return data

    def _rest_later(self):
        """ "rest" design: one whole frame once no frame followed for REST seconds."""
        if self._timer is None:
            self._timer = self.canvas.new_timer(interval=int(REST * 1000))
            self._timer.single_shot = True
            self._timer.add_callback(self._rest)
        self._timer.stop()
        self._timer.start()

    def _rest(self):
        canvas = self.canvas
        if self.clock() - self.last_time < REST * 0.9:
            return
        canvas._force_full = True
        canvas._png_is_old = True
        canvas.manager.refresh_all()


def _canvas_mode(canvas):
    if canvas not in ("auto", "widget", "image", "agg"):
        raise ValueError(f"canvas: expected 'auto', 'widget', 'image' or 'agg', got {canvas!r}")
    if canvas != "auto":
        return canvas
    backend = str(matplotlib.get_backend()).lower()
    if backend in _WIDGET_BACKENDS:
        return "widget"
    if backend in _INLINE_BACKENDS:
        return "image"
    return "agg"


def _new_figure(figsize, dpi, mode, design="robust"):
    """A figure that pyplot does not manage (no global registry, never shown twice), on the right canvas."""
    import matplotlib.pyplot as plt

    with plt.ioff():
        fig = Figure(figsize=figsize or plots.FIGSIZE, dpi=dpi or plots.DPI, layout="constrained")
        if mode == "widget":
            from ipympl.backend_nbagg import Canvas, FigureManager

            with warnings.catch_warnings():
                # ipympl's toolbar hands its canvas on to traitlets, which calls that deprecated (not ours)
                warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
                canvas = Canvas(fig)
                FigureManager(canvas, 0)
            canvas.header_visible = False
            canvas.toolbar_position = "left"
            FrameSender(canvas, design)
        else:
            FigureCanvasAgg(fig)
    return fig


def png_bytes(canvas):
    """The canvas's current pixels as a PNG (the whole figure)."""
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    return _png(pixels.view(np.uint32).squeeze(2), FULL_LEVEL)


def data_url(canvas):
    """The canvas as a PNG data URL: what a notebook saved with its widgets shows where no kernel runs."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(canvas)).decode()
