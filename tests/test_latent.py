"""ae_lib.latent: the prior grid, the decoded grid and scatter figures, the latent explorer."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from scipy.stats import norm

from ae_lib.latent import decoded_grid, latent_explorer, latent_scatter, prior_grid


def test_prior_grid_sits_at_evenly_spaced_quantiles_with_z2_upwards():
    values, codes = prior_grid(5, low=0.1, high=0.9)
    np.testing.assert_allclose(norm.cdf(values), np.linspace(0.1, 0.9, 5))
    assert codes.shape == (25, 2) and codes.dtype == np.float32
    # Row by row from the top: z1 increases along a row, z2 decreases down the rows.
    np.testing.assert_allclose(codes[:5, 0], values, rtol=1e-6)
    np.testing.assert_allclose(codes[:5, 1], values[-1], rtol=1e-6)
    np.testing.assert_allclose(codes[::5, 1], values[::-1], rtol=1e-6)
    # Symmetric quantiles give a grid centred on the prior's mean.
    assert abs(codes.mean()) < 1e-6


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_per_axis=1), "at least 2"),
    (dict(n_per_axis=3.0), "an integer"),
    (dict(n_per_axis=3, low=0.0), "0 < low < high < 1"),
    (dict(n_per_axis=3, low=0.6, high=0.4), "0 < low < high < 1"),
])
def test_prior_grid_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        prior_grid(**kwargs)


def test_decoded_grid_tiles_images_in_grid_order():
    values, codes = prior_grid(3)
    # Each "image" is a flat grey level: its index in the grid, scaled into [0, 1].
    images = np.repeat(np.linspace(0, 1, 9)[:, None, None], 4, axis=1).repeat(4, axis=2)
    fig = decoded_grid(images, values, title="grid")
    canvas = fig.axes[0].images[0].get_array()
    assert canvas.shape == (12, 12)
    assert canvas[0, 0] == 0.0 and canvas[0, 4] == pytest.approx(1 / 8)  # along the top row
    assert canvas[4, 0] == pytest.approx(3 / 8)  # second row starts with the 4th image
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"{v:.1f}" for v in values[::-1]]  # z2 upwards
    with pytest.raises(ValueError, match="3 x 3 = 9 images"):
        decoded_grid(images[:8], values)


def test_latent_scatter_colours_each_class_and_checks_its_input():
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(300, 2)), rng.integers(0, 3, 300)
    fig = latent_scatter(codes, labels, ["a", "b", "c"], max_points=120)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 120
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        latent_scatter(rng.normal(size=(10, 3)), labels[:10], ["a", "b", "c"])
    with pytest.raises(ValueError, match="class_names has 2 names"):
        latent_scatter(codes, labels, ["a", "b"])


def test_latent_explorer_decodes_the_chosen_code_live_and_for_the_site():
    calls = []

    def decoder(codes):
        calls.append(np.array(codes))
        # An image whose grey level encodes z1, to check which code was decoded.
        return np.repeat(norm.cdf(codes[:, :1])[:, :, None], 28 * 28, axis=2)

    values, _ = prior_grid(5)
    explorer = latent_explorer(decoder, values)
    # It starts at the prior's centre, the value closest to 0.
    assert explorer.settings() == {"z1": values[2], "z2": values[2]}
    assert "quantiles 50% and 50%" in explorer.caption.value
    explorer.controls["z1"].value = values[4]
    np.testing.assert_allclose(calls[-1], [[values[4], values[2]]], rtol=1e-6)
    assert "quantiles 95% and 50%" in explorer.caption.value
    page = explorer.static_html()
    frames = json.loads(re.search(r'<script type="application/json" id="[^"]+-frames">(.*?)'
                                  r"</script>", page).group(1))
    assert len(frames) == 25 and len(calls[-1]) == 25  # one batched call for the site
    with pytest.raises(ValueError, match="at least 2 finite numbers"):
        latent_explorer(decoder, [0.0])
    with pytest.raises(TypeError, match="decoder must be callable"):
        latent_explorer("decoder", values)


def _embedded_png_sizes(svg):
    return [Image.open(io.BytesIO(base64.b64decode(data))).size
            for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", svg)]


def test_latent_figures_stay_light_on_the_page():
    values, _ = prior_grid(12)
    images = np.random.default_rng(0).random((144, 28, 28))
    # The grid is embedded at the images' own pixels (12 x 28), not resampled.
    assert _embedded_png_sizes(decoded_grid(images, values)._repr_svg_()) == [(336, 336)]
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(2000, 2)), rng.integers(0, 10, 2000)
    svg = latent_scatter(codes, labels, [str(k) for k in range(10)])._repr_svg_()
    # 2,000 points drawn as one image, not 2,000 markers.
    assert svg.count("<use") < 50 and len(_embedded_png_sizes(svg)) == 1
    assert len(svg) < 150_000
