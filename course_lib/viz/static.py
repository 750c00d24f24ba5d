"""Static figures for notebooks: a finished matplotlib figure shown as a plain PNG image.

Live figures (explorers) use ipympl; a figure that never changes is better stored as a small image, so the
notebook stays light and looks the same everywhere, even where widgets are not rendered.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

__all__ = ["show"]


def show(fig, *, dpi=80):
    """Render ``fig`` to PNG, close it, and return an image object that the notebook displays.

    Build the figure under ``plt.ioff()`` (or with ``matplotlib.figure.Figure``) and end the cell with
    ``show(fig)``; nothing else is displayed.
    """
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return Image(data=buffer.getvalue(), format="png")
