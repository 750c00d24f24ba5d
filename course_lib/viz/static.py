"""Static figures for notebooks: a finished matplotlib figure shown as a plain PNG image with a text alternative.

Live figures (explorers) use ipympl; a figure that never changes is better stored as a small image, so the
notebook stays light and looks the same everywhere, even where widgets are not rendered.

The text alternative reaches every reader of the notebook:

- JupyterLab and Notebook 7 draw ``image/png`` without an ``alt`` attribute, so the output also carries a
  ``text/markdown`` entry holding the same PNG as ``<img alt="..." src="data:...">``; both front ends prefer
  Markdown to a bare image (it is safe: their sanitizer keeps ``alt`` and ``data:`` sources).
- ``jupyter nbconvert --to html`` (and nbviewer) prefer ``image/png`` and read the ``alt`` key of its metadata.
- ``text/plain`` is the alternative itself, for text-only views and screen readers of the raw notebook.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt

__all__ = ["StaticFigure", "show"]


class StaticFigure:
    """A rendered figure with its text alternative (``png``: the PNG bytes, ``alt``: the text)."""

    def __init__(self, png, alt):
        if not isinstance(png, (bytes, bytearray)) or not bytes(png).startswith(b"\x89PNG"):
            raise ValueError("png: expected the bytes of a PNG image")
        self.png = bytes(png)
        self.alt = _check_alt(alt)

    def img_tag(self):
        """The figure as one ``<img>`` element with its ``alt`` text and the PNG inlined."""
        encoded = base64.b64encode(self.png).decode("ascii")
        return f'<img alt="{html.escape(self.alt, quote=True)}" src="data:image/png;base64,{encoded}">'

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": self.png, "text/markdown": self.img_tag(), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self):
        return f"StaticFigure(alt={self.alt!r}, {len(self.png)} bytes of PNG)"


def _check_alt(alt):
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt: expected a non-empty string describing the figure, got {alt!r}")
    return " ".join(alt.split())


def show(fig, *, alt, dpi=80):
    """Render ``fig`` to PNG, close it, and return an image object that the notebook displays.

    ``alt`` is the figure's text alternative: what is plotted and what it shows, in a sentence or three. It
    is what a screen reader reads and what a text-only view of the notebook prints. It is required: a figure
    without one would reach a screen reader as an unnamed image.

    Build the figure under ``plt.ioff()`` (or with ``matplotlib.figure.Figure``) and end the cell with
    ``show(fig, alt=...)``; nothing else is displayed.
    """
    try:
        alt = _check_alt(alt)
    except ValueError:
        plt.close(fig)
        raise
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return StaticFigure(buffer.getvalue(), alt)
