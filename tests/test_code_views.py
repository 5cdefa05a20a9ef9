"""Chapter 9's views of codes: the t-SNE scatter and grouped bars (ae_lib.plotting) and the
nearest-neighbours explorer (ae_lib.widgets), with the data they were given."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from ae_lib.codes import nearest_neighbours
from ae_lib.data import FASHION_MNIST_CLASSES
from ae_lib.plotting import embedding_scatter, grouped_bars
from ae_lib.widgets import neighbours_explorer, png_bytes

RNG = np.random.default_rng(0)


def _render(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    return np.asarray(Image.open(buffer).convert("L"), dtype=float)


def test_embedding_scatter_draws_every_point_of_every_class_in_every_panel():
    labels = np.repeat(np.arange(10), 5)
    points = RNG.normal(size=(50, 2))
    fig = embedding_scatter({"pixels": points, "codes": points * 2}, labels,
                            FASHION_MNIST_CLASSES, title="maps")
    assert [ax.get_title() for ax in fig.axes] == ["pixels", "codes"]
    for ax, scale in zip(fig.axes, (1, 2)):
        assert len(ax.collections) == 10  # one scatter per class
        drawn = np.concatenate([c.get_offsets() for c in ax.collections])
        np.testing.assert_allclose(np.sort(drawn, axis=0), np.sort(points * scale, axis=0))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(FASHION_MNIST_CLASSES)
    assert fig.get_figwidth() <= 6.9
    assert _render(fig).std() > 5


def test_embedding_scatter_errors():
    labels = np.zeros(5, dtype=int)
    with pytest.raises(ValueError, match=r"panels\['a'\] must be one 2-D point per example, "
                                         r"shape \(5, 2\)"):
        embedding_scatter({"a": np.zeros((5, 3))}, labels, ["x"])
    with pytest.raises(ValueError, match=r"panels\['b'\] must be one 2-D point per example, "
                                         r"shape \(5, 2\), as in every panel"):
        embedding_scatter({"a": np.zeros((5, 2)), "b": np.zeros((4, 2))}, labels, ["x"])
    with pytest.raises(ValueError, match=r"labels must be one label per point of each panel"):
        embedding_scatter({"a": np.zeros((4, 2))}, labels, ["x"])
    with pytest.raises(ValueError, match="class_names must name every class"):
        embedding_scatter({"a": np.zeros((5, 2))}, labels + 1, ["x"])
    with pytest.raises(ValueError, match="panels must be a non-empty dict"):
        embedding_scatter({}, labels, ["x"])
    with pytest.raises(TypeError, match="labels must be an array of integer class indices"):
        embedding_scatter({"a": np.zeros((5, 2))}, labels * 1.5, ["x"])


def test_grouped_bars_put_means_as_bars_and_seeds_as_dots():
    seeds = np.array([[0.5, 0.7, 0.9], [0.7, 0.9, 1.0]])
    fig = grouped_bars(["a", "b", "c"], {"over seeds": seeds, "once": [0.2, 0.4, 0.6]},
                       ylabel="AUC", reference=(0.5, "chance"), ylim=(0, 1))
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, [0.6, 0.8, 0.95, 0.2, 0.4, 0.6])
    dots = [line for line in ax.lines if line.get_linestyle() == "None"]
    assert len(dots) == 1 and len(dots[0].get_ydata()) == 6  # only the seeded series
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylabel() == "AUC" and ax.get_ylim() == (0, 1)
    assert any(text.get_text() == "chance" for text in ax.texts)
    with pytest.raises(ValueError, match=r"series\['x'\] must be one value per group, "
                                         r"shape \(3,\)"):
        grouped_bars(["a", "b", "c"], {"x": [1, 2]}, ylabel="y")
    with pytest.raises(ValueError, match="ylim must be two numbers"):
        grouped_bars(["a"], {"x": [1]}, ylabel="y", ylim=(1, 0))
    with pytest.raises(TypeError, match="reference must be a pair"):
        grouped_bars(["a"], {"x": [1]}, ylabel="y", reference=0.5)


@pytest.fixture
def library():
    database = RNG.uniform(size=(30, 28, 28)).astype(np.float32)
    labels = np.arange(30) % 3
    queries = database[:3] * 0.9
    neighbours = {"pixels": nearest_neighbours(queries, database, 4)[0],
                  "reversed": nearest_neighbours(queries, database, 4)[0][:, ::-1]}
    return queries, database, labels, neighbours


def test_neighbours_explorer_shows_the_query_then_its_neighbours(library):
    queries, database, labels, neighbours = library
    names = ["a", "b", "c"]
    explorer = neighbours_explorer(queries, database, neighbours, query_labels=labels[:3],
                                   database_labels=labels, class_names=names)
    assert explorer.controls["query"].options == (("1: a", "1: a"), ("2: b", "2: b"),
                                                  ("3: c", "3: c"))
    # The query (row 0 of the database, scaled) is nearest to database row 0, class a.
    rows = neighbours["pixels"][0]
    same = int(np.sum(labels[rows] == 0))
    assert explorer.caption.value == (f"pixels: {same} of the 4 nearest images are a, "
                                      "like the query (left)")
    picture = np.asarray(Image.open(io.BytesIO(explorer.image.value)), dtype=float) / 255
    assert picture.shape == (2 * 28, 2 * (6 * 28 + 5 * 2))  # query, white gap, 4 images
    np.testing.assert_allclose(picture[::2, ::2][:, :28], queries[0], atol=1 / 255)
    first = 2 * (2 * 28 + 2 * 2)
    np.testing.assert_allclose(picture[::2, first::2][:, :28], database[rows[0]], atol=1 / 255)
    before = explorer.image.value
    explorer.controls["space"].value = "reversed"
    assert explorer.image.value != before and explorer.caption.value.startswith("reversed")
    page = explorer.static_html()
    block = r'<script type="application/json" id="[^"]+">(.*?)</script>'
    frames = json.loads(re.search(block, page).group(1))
    assert len(frames) == 3 * 2
    # The page stores each frame at one pixel per image pixel; the browser scales it up.
    stored = base64.b64decode(frames["1-0"]["src"].split(",", 1)[1])
    explorer.controls["query"].value = "2: b"
    explorer.controls["space"].value = "pixels"
    shown = np.asarray(Image.open(io.BytesIO(explorer.image.value)), dtype=np.float32)
    assert stored == png_bytes(shown[::2, ::2] / 255, 1)


def test_neighbours_explorer_errors(library):
    queries, database, labels, neighbours = library
    kwargs = dict(query_labels=labels[:3], database_labels=labels, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"neighbours\['bad'\] must be for each of the 3 "
                                         r"queries, rows of database \(0 to 29\)"):
        neighbours_explorer(queries, database, {"bad": np.full((3, 2), 30)}, **kwargs)
    with pytest.raises(TypeError, match=r"neighbours\['bad'\] must be an array of integer"):
        neighbours_explorer(queries, database, {"bad": np.zeros((3, 2))}, **kwargs)
    with pytest.raises(ValueError, match=r"query_labels must be one label per query \(3"):
        neighbours_explorer(queries, database, neighbours, query_labels=labels[:2],
                            database_labels=labels, class_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="neighbours must be a non-empty dict"):
        neighbours_explorer(queries, database, {}, **kwargs)
    with pytest.raises(ValueError, match=r"class_names must be a name for every class"):
        neighbours_explorer(queries, database, neighbours, query_labels=labels[:3],
                            database_labels=labels, class_names=["a", "b"])
