"""ae_lib.widgets: explorers build, respond to their controls, and render for the site."""

from __future__ import annotations

import base64
import html.parser
import io
import json
import re

import keras
import numpy as np
import pytest
from PIL import Image

from ae_lib import widgets
from ae_lib.widgets import (Explorer, code_explorer, latent_size_explorer,
                            noise_level_explorer, png_bytes)

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 1, size=(4, 28, 28)).astype(np.float32)


def _decode(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def _static_frames(explorer):
    page = explorer.static_html()
    data = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page).group(1)
    return page, json.loads(data)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page):
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_latent_size_explorer_updates_image_and_error_when_the_slider_moves():
    recon = {4: IMAGES * 0.5, 32: IMAGES * 0.9}
    explorer = latent_size_explorer(IMAGES, recon)
    slider = explorer.controls["code size"]
    assert slider.options == (("4", 4), ("32", 32))
    first_image, first_caption = explorer.image.value, explorer.caption.value
    expected = float(np.mean((IMAGES - IMAGES * 0.5) ** 2))
    assert f"{expected:.4f}" in first_caption and "code size 4" in first_caption
    slider.value = 32
    assert explorer.image.value != first_image
    assert "code size 32" in explorer.caption.value
    picture = _decode(explorer.image.value)
    # two rows of four 28-pixel images, 2-pixel gaps, scaled by 3
    assert picture.shape == (3 * (2 * 28 + 2), 3 * (4 * 28 + 3 * 2))


def test_latent_size_explorer_quotes_given_errors_and_checks_them():
    explorer = latent_size_explorer(IMAGES, {8: IMAGES}, errors={8: 0.0123})
    assert "test MSE 0.0123" in explorer.caption.value
    with pytest.raises(ValueError, match=r"no value for code sizes \[16\]"):
        latent_size_explorer(IMAGES, {8: IMAGES, 16: IMAGES}, errors={8: 0.1})
    with pytest.raises(ValueError, match="values in \\[0, 1\\]"):
        latent_size_explorer(IMAGES * 255, {8: IMAGES})
    with pytest.raises(ValueError, match="images must be an array with 3 axes"):
        latent_size_explorer(IMAGES.reshape(4, 784), {8: IMAGES})


def test_noise_level_explorer_calls_the_denoiser_of_the_chosen_kind():
    calls = []

    def make(kind):
        def denoise(noisy):
            calls.append(kind)
            return np.clip(noisy, 0, 1) * 0 + IMAGES  # a perfect denoiser
        return denoise

    explorer = noise_level_explorer(IMAGES, {"gaussian": make("gaussian"),
                                             "masking": make("masking")}, levels=(0.1, 0.5))
    assert "gaussian noise at 0.1" in explorer.caption.value
    assert "of the denoised" in explorer.caption.value and "inf dB" in explorer.caption.value
    explorer.controls["noise"].value = "masking"
    assert "masking noise at 0.1" in explorer.caption.value and calls[-1] == "masking"
    explorer.controls["level"].value = 0.5
    assert "masking noise at 0.5" in explorer.caption.value
    with pytest.raises(ValueError, match="denoisers must map noise kinds"):
        noise_level_explorer(IMAGES, {"speckle": make("x")})
    # A level outside [0, 1] is refused when the explorer is built, not when it is drawn.
    with pytest.raises(ValueError, match="each entry of levels must be a number from 0 to 1"):
        noise_level_explorer(IMAGES, {"gaussian": make("g")}, levels=(0.1, 1.5))
    with pytest.raises(TypeError, match="denoisers\\['gaussian'\\] must be callable"):
        noise_level_explorer(IMAGES, {"gaussian": "model"})


def test_code_explorer_decodes_live_with_a_real_keras_decoder():
    keras.utils.set_random_seed(0)
    decoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(784, "sigmoid")])
    explorer = code_explorer(decoder, np.array([-1.8, 0.0, 0.3]), units=[0, 2],
                             values=[-2.0, 0.0, 2.0])
    assert set(explorer.controls) == {"unit 0", "unit 2"}
    # Each slider starts at the value nearest the base code's.
    assert explorer.settings() == {"unit 0": -2.0, "unit 2": 0.0}
    before = explorer.image.value
    explorer.controls["unit 2"].value = 2.0
    assert explorer.image.value != before
    assert explorer.caption.value == "unit 0 = -2, unit 2 = 2"
    code = np.array([[-2.0, 0.0, 2.0]], np.float32)
    expected = png_bytes(np.asarray(decoder(code)).reshape(28, 28), 6)
    assert explorer.image.value == expected
    with pytest.raises(ValueError, match="units must be code units between 0 and 2"):
        code_explorer(decoder, np.zeros(3), units=[3], values=[0.0])
    per_unit = code_explorer(decoder, np.zeros(3), units=[0, 2],
                             values={0: [0.0, 1.5], 2: [-1.0, 0.25]})
    assert per_unit.controls["unit 2"].options == (("-1", -1.0), ("0.25", 0.25))
    with pytest.raises(ValueError, match=r"values has no list for units \[2\]"):
        code_explorer(decoder, np.zeros(3), units=[0, 2], values={0: [0.0]})
    with pytest.raises(ValueError, match="base_code must be one code"):
        code_explorer(decoder, np.zeros((2, 3)), units=[0], values=[0.0])


def test_static_html_holds_every_frame_and_working_controls_without_any_url():
    explorer = code_explorer(lambda codes: np.tile(codes[:, :1], (1, 784)) / 4 + 0.5,
                             np.zeros(2), units=[0, 1], values=[-1.0, 0.0, 1.0])
    page, frames = _static_frames(explorer)
    assert sorted(frames) == [f"{i}-{j}" for i in range(3) for j in range(3)]
    assert frames["2-0"]["caption"] == "unit 0 = 1, unit 1 = -1"
    png = base64.b64decode(frames["2-0"]["src"].split(",", 1)[1])
    assert _decode(png).mean() == pytest.approx(0.75 * 255, abs=1)
    tags = _tags(page)
    ranges = [a for t, a in tags if t == "input"]
    assert [(a["type"], a["max"], a["data-labels"]) for a in ranges] == [
        ("range", "2", "-1|0|1"), ("range", "2", "-1|0|1")]
    assert "http" not in page
    assert "Binder or Colab" in page
    assert page == explorer.static_html(), "the same frames give the same page"


def test_mimebundle_offers_the_widget_and_the_static_version():
    explorer = latent_size_explorer(IMAGES, {4: IMAGES})
    bundle = explorer._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id and view["version_major"] == 2
    assert bundle["text/html"].startswith('<div class="ae-explorer"')
    assert "Binder or Colab" in bundle["text/plain"]


def test_ipython_displays_the_live_widget_under_this_ipywidgets(capsys):
    # Runs under ipywidgets 8 here and under Colab's ipywidgets 7 in make colab-check:
    # IPython's formatter swallows errors in _repr_mimebundle_, so check what it returns.
    import ipywidgets
    from IPython.core.formatters import DisplayFormatter

    explorer = latent_size_explorer(IMAGES, {4: IMAGES, 8: IMAGES})
    data, _ = DisplayFormatter().format(explorer)
    view = data.get("application/vnd.jupyter.widget-view+json")
    assert view == {"version_major": 2, "version_minor": 0,
                    "model_id": explorer.widget.model_id}, ipywidgets.__version__
    assert 'class="ae-explorer"' in data["text/html"]
    assert "Traceback" not in capsys.readouterr().err


def test_static_html_starts_at_the_initial_values():
    render = lambda settings: [(np.full((2, 2), s["a"] / 4), f"a={s['a']}")  # noqa: E731
                               for s in settings]
    explorer = Explorer({"a": [0, 2, 4], "kind": ["x", "y"]}, render,
                        initial={"a": 2, "kind": "y"})
    assert explorer.settings() == {"a": 2, "kind": "y"} and explorer.caption.value == "a=2"
    tags = dict((t, a) for t, a in _tags(explorer.static_html()) if t in ("input", "img"))
    assert tags["input"]["value"] == "1"
    assert 'value="1" selected' in explorer.static_html()
    assert "a=2" in explorer.static_html().split("<script>")[0]
    with pytest.raises(ValueError, match="initial value 3 for 'a'"):
        Explorer({"a": [0, 2]}, render, initial={"a": 3})


def test_explorer_rejects_controls_it_cannot_precompute():
    render = lambda settings: [(np.zeros((2, 2)), "") for _ in settings]  # noqa: E731
    with pytest.raises(ValueError, match="controls must be a non-empty dict"):
        Explorer({}, render)
    with pytest.raises(ValueError, match=r"controls\['a'\] must be a non-empty sequence"):
        Explorer({"a": []}, render)
    with pytest.raises(ValueError, match="too many to pre-compute"):
        Explorer({"a": range(30), "b": range(30)}, render)
    with pytest.raises(ValueError, match="scale must be an integer from 1 to 16"):
        Explorer({"a": [1]}, render, scale=0)
    with pytest.raises(TypeError, match="scale must be an integer from 1 to 16"):
        Explorer({"a": [1]}, render, scale=2.5)
    with pytest.raises(TypeError, match="render must be callable"):
        Explorer({"a": [1]}, None)
    broken = Explorer({"a": [1, 2]}, lambda s: [(np.zeros((2, 2)), "")])
    with pytest.raises(ValueError, match="render returned 1 frames for 2 settings"):
        broken.frames()
    with pytest.raises(ValueError, match="image must be a 2-D greyscale image"):
        widgets.png_bytes(np.zeros((2, 2, 3)))


def test_static_frames_are_stored_small_and_shown_scaled_up():
    explorer = latent_size_explorer(IMAGES[:2], {4: IMAGES[:2], 16: IMAGES[:2]})
    page, frames = _static_frames(explorer)
    png = base64.b64decode(next(iter(frames.values()))["src"].split(",", 1)[1])
    stored = _decode(png).shape
    image = dict(_tags(page))["img"]
    assert (int(image["width"]), int(image["height"])) == (stored[1] * 3, stored[0] * 3)
    assert "image-rendering:pixelated" in image["style"]
    assert len(png) < len(png_bytes(_decode(png) / 255, 3))


def test_static_frames_wait_in_a_json_block_that_no_caption_can_end_early():
    render = lambda settings: [(np.zeros((2, 2)), "a </script> b") for _ in settings]  # noqa: E731
    page = Explorer({"a": [1, 2]}, render).static_html()
    assert page.count("</script>") == 2  # the JSON block's and the script's own
    _, frames = _static_frames(page and Explorer({"a": [1, 2]}, render))
    assert frames["0"]["caption"] == "a </script> b"
    assert "var frames=null" in page  # read from the JSON block when a control moves
