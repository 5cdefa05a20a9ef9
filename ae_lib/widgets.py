"""Interactive explorers (ipywidgets) that also work on the static site.

An :class:`Explorer` maps the values of a few controls to a picture and a caption. In
Jupyter, Colab or Binder it is a live widget: moving a control calls the model again. For
the static site, where no kernel answers, it also renders every combination of control
values in advance and ships them as HTML with a small script, so the slider still works in
the browser; a line under it says how to explore live. The site shows that HTML version
(``nb_mime_priority_overrides`` in ``_config.yml``), Jupyter shows the widget.

Four explorers are built on it: :func:`latent_size_explorer`,
:func:`noise_level_explorer`, :func:`code_explorer` and :func:`neighbours_explorer`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import numbers
import struct

import numpy as np

from ae_lib.metrics import mse, psnr
from ae_lib.noise import NOISE_KINDS, check_noise_level, corrupt
from ae_lib.validation import (check_array, check_callable, check_images, check_int,
                               check_labels, check_mapping, check_non_negative_int,
                               check_numbers, check_positive_ints, check_seed,
                               check_sequence, check_string, fail)

# A rendered frame: an image (H, W) with values in [0, 1], and a caption.
Frame = tuple[np.ndarray, str]

LIVE_HINT = ("Pre-computed frames from the executed notebook. Run this chapter on Binder or "
             "Colab (the rocket icon at the top of the page) to explore it live.")
MAX_FRAMES = 500


class Explorer:
    """A picture that answers a few controls, live in Jupyter and pre-computed for the site.

    Parameters
    ----------
    controls : dict of str to sequence
        Control name -> the values it offers, in order. Numbers give a slider, strings a
        drop-down list.
    render : callable
        ``render(settings)`` takes a list of dicts (control name -> value) and returns one
        frame, an ``(image, caption)`` pair, per dict. It is called with one setting when a control moves, and
        with every combination once for the static version, so it should batch.
    title : str
        Shown above the controls.
    scale : int
        Each image pixel becomes ``scale x scale`` screen pixels.
    initial : dict of str to value, optional
        The value a control starts at (default: its first value).
    """

    def __init__(self, controls, render, *, title="", scale=3, initial=None):
        check_mapping(controls, "controls", what="a dict of control name to values")
        self.controls_values = {}
        for name, values in controls.items():
            check_string(name, "each control name")
            self.controls_values[name] = check_sequence(
                values, f"controls[{name!r}]", what="a sequence of values")
        n_frames = int(np.prod([len(v) for v in self.controls_values.values()]))
        if n_frames > MAX_FRAMES:
            raise ValueError(
                f"controls must offer at most {MAX_FRAMES} combinations of values to "
                f"pre-compute for the site. Received: {n_frames} combinations, too many to "
                f"pre-compute; offer fewer values per control.")
        self.start = {name: 0 for name in self.controls_values}
        if initial is not None:
            check_mapping(initial, "initial", non_empty=False,
                          what="a dict of control name to value")
        for name, value in (initial or {}).items():
            if name not in self.controls_values or value not in self.controls_values[name]:
                raise ValueError(
                    f"initial[{name!r}] must be one of the control's values "
                    f"{self.controls_values.get(name)}. Received: initial value {value!r} "
                    f"for {name!r}.")
            self.start[name] = self.controls_values[name].index(value)
        self.render = check_callable(render, "render")
        self.title = check_string(title, "title")
        self.scale = check_scale(scale)
        self._build_widget()

    # The live widget ------------------------------------------------------------------

    def _build_widget(self):
        import ipywidgets

        self.controls = {}
        for name, values in self.controls_values.items():
            options = [(_format_value(v), v) for v in values]
            first = values[self.start[name]]
            if all(isinstance(v, numbers.Number) for v in values):
                control = ipywidgets.SelectionSlider(options=options, value=first,
                                                     description=name,
                                                     continuous_update=True)
            else:
                control = ipywidgets.Dropdown(options=options, value=first,
                                              description=name)
            control.style.description_width = "initial"
            control.observe(self._on_change, names="value")
            self.controls[name] = control
        self.image = ipywidgets.Image(format="png")
        self.caption = ipywidgets.HTML()
        heading = [ipywidgets.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        self.widget = ipywidgets.VBox(
            [*heading, ipywidgets.HBox(list(self.controls.values())), self.image,
             self.caption])
        self.update()

    def settings(self):
        """The controls' current values, as a dict."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Render the current setting into the widget's image and caption."""
        (frame,) = self.render([self.settings()])
        image, caption = frame
        self.image.value = png_bytes(image, self.scale)
        self.caption.value = html.escape(caption)

    def _on_change(self, _change):
        self.update()

    # The static version -----------------------------------------------------------------

    def frames(self, scale=None):
        """Every combination of control values -> (PNG bytes, caption), keyed by indices.

        Each image pixel becomes ``scale x scale`` pixels (by default the explorer's).
        """
        scale = self.scale if scale is None else check_scale(scale)
        names = list(self.controls_values)
        index_tuples = list(itertools.product(
            *[range(len(self.controls_values[n])) for n in names]))
        settings = [{n: self.controls_values[n][i] for n, i in zip(names, idx)}
                    for idx in index_tuples]
        rendered = self.render(settings)
        if len(rendered) != len(settings):
            raise ValueError(f"render must return one frame per setting. Received: render "
                             f"returned {len(rendered)} frames for {len(settings)} settings.")
        return {idx: (png_bytes(image, scale), caption)
                for idx, (image, caption) in zip(index_tuples, rendered)}

    def static_html(self):
        """Self-contained HTML: controls, pre-computed frames and the script that swaps them.

        The frames are stored at one pixel per image pixel and scaled up by the browser
        (sharp, without smoothing): a third to a fifth of the bytes of scaled-up PNGs.
        They sit in a JSON block that the browser reads only when a control first moves,
        not in the script, which a phone would otherwise compile as the page loads.
        """
        frames = self.frames(scale=1)
        # A PNG's width and height are the two numbers after its 16-byte signature and
        # chunk header.
        width, height = struct.unpack(">II", next(iter(frames.values()))[0][16:24])
        payload = {"-".join(map(str, idx)): {
            "src": "data:image/png;base64," + base64.b64encode(png).decode(),
            "caption": caption} for idx, (png, caption) in frames.items()}
        data = json.dumps(payload, sort_keys=True)
        uid = "ae-explorer-" + hashlib.sha1(
            (self.title + data).encode()).hexdigest()[:10]
        first = payload["-".join(str(self.start[n]) for n in self.controls_values)]
        safe_data = data.replace("</", "<\\/")  # "</" cannot appear in a script element
        controls = "".join(_static_control(i, name, values, self.start[name])
                           for i, (name, values) in enumerate(self.controls_values.items()))
        title = f"<p><b>{html.escape(self.title)}</b></p>" if self.title else ""
        script = (
            "(function(){"
            f"var root=document.getElementById('{uid}');"
            "var frames=null;"
            "var inputs=root.querySelectorAll('[data-control]');"
            "function show(){"
            f"if(!frames){{frames=JSON.parse(document.getElementById('{uid}-frames')"
            ".textContent);}"
            "var key=Array.prototype.map.call(inputs,function(el){return el.value;}).join('-');"
            "var frame=frames[key];"
            "root.querySelector('img').src=frame.src;"
            "root.querySelector('.ae-explorer-caption').textContent=frame.caption;"
            "inputs.forEach(function(el){var out=root.querySelector("
            "'[data-value-of=\"'+el.dataset.control+'\"]');"
            "if(out){out.textContent=el.dataset.labels.split('|')[el.value];}});}"
            "inputs.forEach(function(el){el.addEventListener('input',show);"
            "el.addEventListener('change',show);});"
            "})();")
        return (
            f'<div class="ae-explorer" id="{uid}">{title}'
            f'<div class="ae-explorer-controls">{controls}</div>'
            f'<img src="{first["src"]}" alt="{html.escape(self.title or "explorer")}" '
            f'width="{width * self.scale}" height="{height * self.scale}" '
            'style="image-rendering:pixelated;max-width:100%;height:auto">'
            f'<p class="ae-explorer-caption">{html.escape(first["caption"])}</p>'
            f'<p class="ae-explorer-note"><em>{html.escape(LIVE_HINT)}</em></p>'
            f'<script type="application/json" id="{uid}-frames">{safe_data}</script>'
            f"<script>{script}</script></div>")

    def _repr_mimebundle_(self, **kwargs):
        bundle = _widget_view_bundle(self.widget, **kwargs)
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = f"{self.title or 'Explorer'}: {LIVE_HINT}"
        return bundle


def _widget_view_bundle(widget, **kwargs):
    """The MIME bundle that shows ``widget`` live, under ipywidgets 7 and 8 alike.

    ipywidgets 8 widgets have ``_repr_mimebundle_``; ipywidgets 7 (Colab's) display
    themselves through ``_ipython_display_`` instead, with the bundle built here.
    """
    method = getattr(widget, "_repr_mimebundle_", None)
    if method is not None:
        return dict(method(**kwargs) or {})
    bundle = {"text/plain": repr(widget)[:110]}
    if widget._view_name is not None:
        bundle["application/vnd.jupyter.widget-view+json"] = {
            "version_major": 2, "version_minor": 0, "model_id": widget._model_id}
    return bundle


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _static_control(index, name, values, start=0):
    labels = [_format_value(v) for v in values]
    label_attr = html.escape("|".join(labels), quote=True)
    if all(isinstance(v, numbers.Number) for v in values):
        return (f'<label style="margin-right:1.5em">{html.escape(name)} '
                f'<input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}" '
                f'data-control="{index}" data-labels="{label_attr}" '
                f'aria-label="{html.escape(name)}"> '
                f'<span data-value-of="{index}">{html.escape(labels[start])}</span></label>')
    options = "".join(f'<option value="{i}"{" selected" if i == start else ""}>'
                      f"{html.escape(label)}</option>" for i, label in enumerate(labels))
    return (f'<label style="margin-right:1.5em">{html.escape(name)} '
            f'<select data-control="{index}" data-labels="{label_attr}">{options}</select>'
            "</label>")


def check_scale(scale):
    """``scale`` as an int if it is a whole number from 1 to 16 (screen pixels per pixel)."""
    return check_int(scale, "scale", low=1, high=16)


def png_bytes(image, scale=1):
    """Encode a greyscale image with values in [0, 1] as PNG, each pixel scaled up.

    Values outside [0, 1] are clipped; NaN and infinite values are refused.
    """
    from PIL import Image

    scale = check_scale(scale)
    image = check_array(image, "image", dtype=np.float32, non_empty=True)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D greyscale image (height, width). Received: "
                         f"image of shape {image.shape}.")
    pixels = (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)
    pixels = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=True)  # uint8 2-D: greyscale
    return buffer.getvalue()


def image_rows(*rows, gap=2):
    """Tile rows of images (each of shape (n, H, W)) into one picture, white gaps between."""
    if not rows:
        raise ValueError("rows must be at least one row of images. Received: none.")
    gap = check_non_negative_int(gap, "gap")
    rows = [check_array(r, f"rows[{i}]", ndim=3, dtype=np.float32,
                        shape_hint="(n, height, width)") for i, r in enumerate(rows)]
    n, height, width = rows[0].shape
    if any(r.shape != rows[0].shape for r in rows):
        raise ValueError("rows must have the same number and shape of images. Received: "
                         f"rows of shapes {[r.shape for r in rows]}.")
    canvas = np.ones((len(rows) * (height + gap) - gap, n * (width + gap) - gap), np.float32)
    for i, row in enumerate(rows):
        for j, image in enumerate(row):
            canvas[i * (height + gap):i * (height + gap) + height,
                   j * (width + gap):j * (width + gap) + width] = image
    return canvas


def _as_images(array, like):
    return np.asarray(array, dtype=np.float32).reshape(like.shape)


def latent_size_explorer(images, reconstructions, *, errors=None, error_label="test MSE"):
    """A slider over code sizes: originals above, that size's reconstructions below.

    Parameters
    ----------
    images : array, shape (n, 28, 28)
        The originals shown (a handful, say 8).
    reconstructions : dict of int to array
        Code size -> the reconstructions of ``images`` by the model with that code.
    errors : dict of int to float, optional
        Code size -> an error to quote (the test-set MSE, say). Default: the MSE on the
        images shown.
    error_label : str
        What ``errors`` are, for the caption.
    """
    images = _check_images(images)
    check_mapping(reconstructions, "reconstructions",
                  what="a dict of code size to reconstructions")
    sizes = sorted(check_positive_ints(list(reconstructions), "reconstructions' keys"))
    rebuilt = {k: _as_images(check_images(reconstructions[k], f"reconstructions[{k}]"),
                             images) for k in sizes}
    check_string(error_label, "error_label")
    if errors is None:
        errors = {k: mse(images, rebuilt[k]) for k in sizes}
        label = "MSE on these images"
    else:
        check_mapping(errors, "errors", what="a dict of code size to error")
        missing = set(sizes) - set(errors)
        if missing:
            raise ValueError(f"errors must give a value for every code size. Received: "
                             f"errors has no value for code sizes {sorted(missing)}.")
        label = error_label

    def render(settings):
        return [(image_rows(images, rebuilt[s["code size"]]),
                 f"code size {s['code size']}: {label} {errors[s['code size']]:.4f} "
                 "(top: originals, bottom: reconstructions)") for s in settings]

    return Explorer({"code size": sizes}, render,
                    title="How much does a bigger code buy?")


def noise_level_explorer(images, denoisers, *, levels=(0.1, 0.2, 0.3, 0.4, 0.5), seed=0):
    """Pick a noise type and a level: clean, noisy and denoised images, and their PSNR.

    Parameters
    ----------
    images : array, shape (n, 28, 28)
        Clean images.
    denoisers : dict of str to callable
        Noise kind (``"gaussian"``, ``"masking"`` or ``"salt_and_pepper"``) -> a function
        (a Keras model, say) from noisy images to denoised ones.
    levels : sequence of float
        Noise levels offered, each in [0, 1].
    seed : int
        Seed of the noise, so that the pictures repeat.
    """
    images = _check_images(images)
    check_mapping(denoisers, "denoisers", what="a dict of noise kind to denoiser")
    unknown = set(denoisers) - set(NOISE_KINDS)
    if unknown:
        raise ValueError(f"denoisers must map noise kinds {sorted(NOISE_KINDS)} to models. "
                         f"Received: denoisers with keys {sorted(map(str, denoisers))}.")
    for kind, denoiser in denoisers.items():
        check_callable(denoiser, f"denoisers[{kind!r}]")
    # Checked now, not when the explorer is first drawn.
    levels = check_numbers(levels, "levels", low=0.0, high=1.0)
    for kind in denoisers:
        for level in levels:
            check_noise_level(kind, level)
    seed = check_seed(seed)
    cache = {}

    def frame(kind, level):
        if (kind, level) not in cache:
            noisy = corrupt(images, kind, level, seed=seed)
            denoised = _as_images(denoisers[kind](noisy), images)
            cache[kind, level] = (
                image_rows(images, noisy, denoised),
                f"{kind} noise at {level:g}: PSNR of the noisy images "
                f"{psnr(images, noisy):.1f} dB, of the denoised "
                f"{psnr(images, denoised):.1f} dB (rows: clean, noisy, denoised)")
        return cache[kind, level]

    def render(settings):
        return [frame(s["noise"], s["level"]) for s in settings]

    return Explorer({"noise": list(denoisers), "level": levels}, render,
                    title="Denoising, noise level by noise level")


def code_explorer(decoder, base_code, units, values, *, image_shape=(28, 28)):
    """Sliders on a few code units; the decoder draws the image they describe.

    Parameters
    ----------
    decoder : callable
        Maps a batch of codes, shape (n, k), to images (a Keras decoder, say).
    base_code : array, shape (k,)
        The code the other units keep (the mean code of a class, say).
    units : sequence of int
        The code units that get a slider (two to four is plenty).
    values : sequence of float, or dict of int to sequence of float
        The values each slider offers: one list for all, or one per unit. Each slider
        starts at the value closest to the unit's value in ``base_code``.
    """
    check_callable(decoder, "decoder")
    base_code = check_array(base_code, "base_code", dtype=np.float32)
    if base_code.ndim != 1:
        raise ValueError(f"base_code must be one code, shape (k,). Received: base_code of "
                         f"shape {base_code.shape}.")
    units = check_sequence(units, "units", what="a sequence of code units")
    units = [check_int(u, "each entry of units", low=0, high=base_code.size - 1,
                       fix=f"units must be code units between 0 and {base_code.size - 1}.")
             for u in units]
    if isinstance(values, dict):
        missing = set(units) - set(values)
        if missing:
            raise ValueError(f"values must give a list for every unit. Received: values has "
                             f"no list for units {sorted(missing)}.")
        per_unit = {u: check_numbers(values[u], f"values[{u}]") for u in units}
    else:
        per_unit = {u: check_numbers(values, "values") for u in units}
    image_shape = tuple(check_positive_ints(image_shape, "image_shape"))

    def render(settings):
        codes = np.repeat(base_code[None], len(settings), axis=0)
        for row, setting in enumerate(settings):
            for unit in units:
                codes[row, unit] = setting[f"unit {unit}"]
        decoded = np.asarray(decoder(codes), dtype=np.float32).reshape(
            len(settings), *image_shape)
        return [(image, ", ".join(f"unit {u} = {s[f'unit {u}']:.3g}" for u in units))
                for image, s in zip(decoded, settings)]

    initial = {f"unit {u}": min(per_unit[u], key=lambda v: abs(v - base_code[u]))
               for u in units}
    return Explorer({f"unit {u}": per_unit[u] for u in units}, render,
                    title="Decode a code of your own", scale=6, initial=initial)


def neighbours_explorer(queries, database, neighbours, *, query_labels, database_labels,
                        class_names):
    """Pick a query image and a space: the query, then its nearest images in that space.

    Parameters
    ----------
    queries : array, shape (n, 28, 28)
        The query images (one per class, say).
    database : array, shape (m, 28, 28)
        The images searched.
    neighbours : dict of str to array of int, shape (n, k)
        Space name (``"pixels"``, ``"codes"``, ...) -> for each query, the rows of
        ``database`` nearest to it in that space, nearest first
        (:func:`ae_lib.codes.nearest_neighbours`).
    query_labels, database_labels : array_like of int
        The class of each image, an index into ``class_names``.
    class_names : sequence of str
    """
    queries = check_images(queries, "queries", ndim=3)
    database = check_images(database, "database", ndim=3)
    query_labels = check_labels(query_labels, "query_labels", length=len(queries),
                                per="query")
    database_labels = check_labels(database_labels, "database_labels", length=len(database),
                                   per="database image")
    class_names = [check_string(name, "each entry of class_names")
                   for name in check_sequence(class_names, "class_names")]
    top = max(query_labels.max(), database_labels.max())
    if top >= len(class_names):
        fail(ValueError, "class_names", f"a name for every class (labels go up to {top})",
             class_names)
    neighbours = check_mapping(neighbours, "neighbours",
                               what="a dict of space name to neighbour indices")
    found = {}
    for space, rows in neighbours.items():
        name = f"neighbours[{space!r}]"
        rows = np.asarray(rows)
        if rows.dtype.kind not in "iu":
            fail(TypeError, name, "an array of integer row indices", rows)
        if rows.ndim != 2 or len(rows) != len(queries) or rows.shape[1] == 0 \
                or rows.min() < 0 or rows.max() >= len(database):
            fail(ValueError, name, f"for each of the {len(queries)} queries, rows of "
                 f"database (0 to {len(database) - 1}), shape ({len(queries)}, k)", rows)
        found[space] = rows
    # Each query is named by its position and class, for the drop-down list.
    names = [f"{i + 1}: {class_names[label]}" for i, label in enumerate(query_labels)]
    separator = np.ones((1, *queries.shape[1:]), np.float32)

    def render(settings):
        frames = []
        for setting in settings:
            query = names.index(setting["query"])
            rows = found[setting["space"]][query]
            same = int(np.sum(database_labels[rows] == query_labels[query]))
            picture = image_rows(np.concatenate([queries[query:query + 1], separator,
                                                 database[rows]]))
            frames.append((picture, (
                f"{setting['space']}: {same} of the {len(rows)} nearest images are "
                f"{class_names[query_labels[query]]}, like the query (left)")))
        return frames

    return Explorer({"query": names, "space": list(found)}, render,
                    title="The nearest images to a query", scale=2)


def _check_images(images):
    return check_images(images, "images", ndim=3)
