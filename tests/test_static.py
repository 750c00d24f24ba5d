"""Static figures carry their text alternative to every front end.

``course_lib.viz.static.show`` returns one output with three entries: ``image/png`` (with ``alt`` in its
metadata, read by nbconvert and nbviewer), ``text/markdown`` holding the same image as ``<img alt=...>`` (what
JupyterLab and Notebook 7 render: their PNG renderer sets no alt), and ``text/plain`` (the alternative itself).
The browser side is checked in tests/browser/test_a11y.py.
"""

from __future__ import annotations

import ast
import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402

from course_lib.viz import static  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ALT = "Two value curves, \"GD\" & <Adam>: Adam's gap f − f* falls below 1e-6 by step 40, GD's stays near 0.1."


class Images(HTMLParser):
    """Every <img> of an HTML fragment, as a dict of its attributes."""

    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images(html: str) -> list[dict]:
    parser = Images()
    parser.feed(html)
    return parser.images


def figure():
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [2, 1, 0.5], label="GD")
    return fig


def bundle(obj):
    data, metadata = DisplayFormatter().format(obj)
    return data, metadata


def test_show_returns_png_alt_and_an_img_tag():
    fig = figure()
    shown = static.show(fig, alt=ALT)
    assert not plt.fignum_exists(fig.number), "show() must close the figure"
    data, metadata = bundle(shown)
    assert set(data) == {"image/png", "text/markdown", "text/plain"}
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert data["text/plain"] == ALT
    assert metadata == {"image/png": {"alt": ALT}}
    (img,) = images(data["text/markdown"])
    assert img["alt"] == ALT, "the alt text must survive HTML escaping unchanged"
    assert img["src"] == "data:image/png;base64," + base64.b64encode(data["image/png"]).decode()
    # The Markdown entry is the image and nothing else (no text that a renderer would show twice).
    assert re.fullmatch(r"<img [^<>]*>", data["text/markdown"])


def test_alt_whitespace_is_collapsed_to_one_line():
    shown = static.show(figure(), alt="  Paths of GD\n   and Adam.  ")
    assert shown.alt == "Paths of GD and Adam."


@pytest.mark.parametrize("bad", ["", "   ", 3, b"bytes", None])
def test_bad_alt_is_a_value_error_naming_the_parameter_and_closes_the_figure(bad):
    fig = figure()
    with pytest.raises(ValueError, match="alt"):
        static.show(fig, alt=bad)
    assert not plt.fignum_exists(fig.number)


def test_static_figure_rejects_what_is_not_a_png():
    with pytest.raises(ValueError, match="png"):
        static.StaticFigure(b"GIF89a", "x")


def test_nbconvert_html_shows_the_png_with_its_alt(tmp_path):
    """nbconvert (and nbviewer, which uses it) prefer image/png to Markdown and read the metadata's alt."""
    from nbconvert import HTMLExporter

    data, metadata = bundle(static.show(figure(), alt=ALT))
    output = nbformat.v4.new_output(
        "display_data",
        data={**data, "image/png": base64.b64encode(data["image/png"]).decode()},
        metadata=metadata,
    )
    cell = nbformat.v4.new_code_cell("show(fig, alt=...)", outputs=[output])
    nb = nbformat.v4.new_notebook(cells=[cell])
    html, _ = HTMLExporter().from_notebook_node(nb)
    shown = [img for img in images(html) if img.get("src", "").startswith("data:image/png")]
    assert len(shown) == 1, "the figure must appear exactly once"
    assert shown[0].get("alt") == ALT


def chapter_show_calls() -> dict[str, list[str]]:
    """Per chapter notebook, the `show(...)` calls of its code cells that pass no alt text."""
    missing = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for k, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
            for node in ast.walk(ast.parse(code)):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name == "show" and not any(kw.arg == "alt" for kw in node.keywords):
                    missing.setdefault(path.name, []).append(f"cell {k}: {ast.unparse(node)[:50]}")
    return missing


def test_every_static_figure_in_the_chapters_has_alt_text():
    missing = chapter_show_calls()
    assert not missing, f"show(...) without alt= in: {missing}"


def test_stored_static_figures_carry_alt_in_every_form():
    """The stored outputs (made by `make execute`) hold the three entries; no bare PNG without alt."""
    bare = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for k, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" not in data:
                    continue
                alt = out.get("metadata", {}).get("image/png", {}).get("alt")
                markdown = data.get("text/markdown", "")
                imgs = images("".join(markdown) if isinstance(markdown, list) else markdown)
                if not alt or not imgs or imgs[0].get("alt") != alt:
                    bare.append(f"{path.name} cell {k}")
    assert not bare, f"PNG outputs without alt text (re-execute the notebook): {bare}"


def test_nbval_compares_the_alt_text_but_not_the_inlined_pixels():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    one = static.StaticFigure(b"\x89PNG\r\n\x1a\n" + bytes(range(200)), "Adam's path ends at the minimum.")
    other = static.StaticFigure(b"\x89PNG\r\n\x1a\n" + bytes(range(255, 30, -1)), one.alt)
    assert one.img_tag() != other.img_tag()
    assert sanitize(one.img_tag()) == sanitize(other.img_tag())
    changed = static.StaticFigure(one.png, "GD's path ends at the minimum.")
    assert sanitize(changed.img_tag()) != sanitize(one.img_tag())


def test_alt_is_required():
    """No placeholder text: a figure without a text alternative is refused, not shown as a nameless image."""
    with pytest.raises(TypeError, match="alt"):
        static.show(figure())  # the missing keyword is the point
    fig = figure()
    with pytest.raises(ValueError, match="alt"):
        static.show(fig, alt=None)
    assert not plt.fignum_exists(fig.number)
    with pytest.raises(ValueError, match="alt"):
        static.StaticFigure(b"\x89PNG\r\n\x1a\n", None)
