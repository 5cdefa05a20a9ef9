"""The course's figure canvas: how big every figure is, how big its letters are, how it shows.

Figures are drawn at the size they are shown. On the site a figure shows at 96 CSS pixels
per inch, and the text column is 688 CSS pixels wide at a 1280-pixel window, so a figure
is at most :data:`MAX_WIDTH_IN` inches wide and is never shrunk there; its text is at least
:data:`MIN_FONT_PT` points (8 pt is 10.7 CSS pixels).

A :class:`DisplayFigure` shows itself as SVG in every Jupyter front end and on the site:
sharp at any zoom (on 2x screens, and when a phone opens it full size) and usually smaller
than a PNG. The SVG records the size of the figure's smallest text in the attribute
``data-min-font-pt`` of its root element, so the site's browser test can check how large
that text is on the page.

A figure of your own: ``fig = new_figure(width, height)``, draw on it inside
``with course_style():``, and return or ``display`` it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import re

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

#: How wide a figure may be, in inches (the site's text column, 688 CSS pixels at 96
#: per inch, less a margin).
MAX_WIDTH_IN = 6.9
#: How small its text may be, in points (10.7 CSS pixels when it shows at its own size).
MIN_FONT_PT = 8.0

# Sizes in points. Text stays text in the SVG ("svg.fonttype": "none"), drawn by the
# reader's browser in DejaVu Sans, else Verdana (as wide), else its sans-serif font (no
# wider): a third to a half of the bytes of text drawn as outlines. "svg.hashsalt" makes
# the SVG's internal ids the same on every run, so a re-executed notebook changes only
# where the figure does.
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 11,
    "svg.fonttype": "none",
    "svg.hashsalt": "ae_lib",
}


@contextlib.contextmanager
def course_style():
    """Matplotlib settings (font sizes, SVG output) of the course's figures, for a block."""
    with matplotlib.rc_context(STYLE):
        yield


def styled(function):
    """Decorate a function that draws a figure so that it draws in :func:`course_style`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with course_style():
            return function(*args, **kwargs)

    return wrapper


class DisplayFigure(Figure):
    """A Figure that Jupyter shows as SVG when a cell returns or displays it.

    Plain ``Figure`` objects are shown only once pyplot's inline backend registered a
    printer for them; ``_repr_svg_`` works in every front end (Lab, Colab, VS Code, GitHub),
    and MyST-NB writes it to the site as an ``.svg`` file.
    """

    def _repr_svg_(self):
        return svg_text(self)


def new_figure(width, height):
    """A :class:`DisplayFigure` of ``width`` x ``height`` inches with constrained layout.

    Raises
    ------
    ValueError
        If ``width`` is more than :data:`MAX_WIDTH_IN` (the site would shrink the figure,
        and its text with it) or a size is not positive.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a positive number of inches, got {value!r}.")
    if width > MAX_WIDTH_IN + 1e-9:
        raise ValueError(
            f"width must be at most {MAX_WIDTH_IN} inches (the site's text column), got "
            f"{width:g}; lay the panels out narrower or in more rows.")
    return DisplayFigure(figsize=(width, height), layout="constrained")


def drawn_texts(fig):
    """Every non-empty line of text that drawing ``fig`` puts on it, as it is drawn.

    The figure is drawn once with a renderer that records each line of text it is asked to
    draw (tick labels outside an axis's view are not drawn, so they are not listed).

    Returns
    -------
    list of (str, float, numpy.ndarray)
        The line, its size in points and the four corners of its (possibly rotated) box,
        in pixels at the figure's dpi, as an array of shape (4, 2).
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    width, height = fig.bbox.size
    recorder = _TextRecorder(width, height, fig.dpi)
    with course_style():
        fig.draw(recorder)
    return recorder.texts


def smallest_text_pt(fig):
    """The size, in points, of the smallest text drawn on ``fig`` (``None`` if it has none)."""
    sizes = [size for _, size, _ in drawn_texts(fig)]
    return min(sizes) if sizes else None


class _TextRecorder(RendererAgg):
    """An Agg renderer that notes every line of text it draws: text, size and box."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.texts = []

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            w, h, d = self.get_text_width_height_descent(s, prop, ismath)
            # The box around the baseline's start (x, y), turned by the text's angle.
            corners = np.array([[0, -d], [w, -d], [w, h - d], [0, h - d]], dtype=float)
            turn = np.deg2rad(angle)
            rotation = np.array([[np.cos(turn), -np.sin(turn)],
                                 [np.sin(turn), np.cos(turn)]])
            # Agg is handed y from the top; the box is kept with y from the bottom.
            self.texts.append((s, prop.get_size_in_points(),
                               corners @ rotation.T + [x, self.height - y]))
        super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)


def svg_text(fig):
    """``fig`` as compact SVG text, with its smallest text size in ``data-min-font-pt``."""
    smallest = smallest_text_pt(fig)
    buffer = io.StringIO()
    with course_style():
        # No date in the metadata: the same figure gives the same file.
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = compact_svg(buffer.getvalue())
    if smallest is not None:
        svg = re.sub(r"<svg\b", f'<svg data-min-font-pt="{smallest:g}"', svg, count=1)
    return svg


_EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def compact_svg(svg):
    """Matplotlib's SVG in fewer bytes, drawing the same: no indentation, and each embedded
    image re-encoded losslessly (:func:`compact_png`); a figure of many small images
    shrinks by a third to a half."""
    def recode(match):
        data = base64.b64decode(re.sub(r"\s", "", match.group(1)))
        return "data:image/png;base64," + base64.b64encode(compact_png(data)).decode()

    return re.sub(r"\n[ \t]+", "\n", _EMBEDDED_PNG.sub(recode, svg))


def compact_png(data):
    """The same pixels as the PNG ``data``, in as few bytes as PIL's lossless choices give.

    Matplotlib writes every image as RGBA; an opaque one needs no alpha channel, a grey
    one one channel, one of at most 256 colours a palette. The result is checked pixel
    for pixel against the original, and the original is kept if it is not smaller.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as original:
        rgba = np.asarray(original.convert("RGBA"))
    if (rgba[..., 3] == 255).all():
        rgb = rgba[..., :3]
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            image = Image.fromarray(np.ascontiguousarray(rgb[..., 0]), mode="L")
        else:
            image = Image.fromarray(np.ascontiguousarray(rgb), mode="RGB")
            colours = len(np.unique(rgb.reshape(-1, 3), axis=0))
            if colours <= 256:
                image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=colours)
    else:
        image = Image.fromarray(rgba, mode="RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    smaller = buffer.getvalue()
    with Image.open(io.BytesIO(smaller)) as check:
        same = np.array_equal(np.asarray(check.convert("RGBA")), rgba)
    return smaller if same and len(smaller) < len(data) else data
