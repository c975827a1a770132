import os

import matplotlib.pyplot as plt
import numpy
import pytest

from minidl import backend, viz

PNG = b"\x89PNG\r\n\x1a\n"


def images(n, d=16, seed=0):
    return backend.to_device(numpy.random.default_rng(seed).random((n, d), dtype=numpy.float32))


FIGURES = {
    "image_grid": lambda p: viz.image_grid(images(12), p, ncols=5, title="grid"),
    "image_grid_shaped": lambda p: viz.image_grid(images(3, 12), p, shape=(3, 4)),
    "rows": lambda p: viz.rows([images(4), images(4, seed=1), images(6)], ["a", "b", "c"], p,
                               n=4, title="rows"),
    "reconstructions": lambda p: viz.reconstructions(images(5), images(5, seed=2), p),
    "filters": lambda p: viz.filters(backend.xp.asarray(
        numpy.random.default_rng(0).standard_normal((16, 7))), p, n=6, ncols=3),
    "codes_2d": lambda p: viz.codes_2d(images(50, 2), numpy.arange(50) % 10, p, title="z"),
    "codes_2d_unlabelled": lambda p: viz.codes_2d(images(50, 2), None, p),
    "strip": lambda p: viz.strip(images(8), p, title="interpolation"),
    "manifold": lambda p: viz.manifold(images(9), 3, p),
    "curves": lambda p: viz.curves({"train": [3.0, 2.0, 1.5], "val": ([1, 3], [3.5, 2.5])},
                                   p, title="loss", ylabel="BCE"),
    "gibbs_chains": lambda p: viz.gibbs_chains(images(12).reshape(3, 4, 16), p, title="chains"),
    "feature_maps": lambda p: viz.feature_maps(images(5, 36).reshape(5, 6, 6), p, ncols=3),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_writes_a_png_and_closes(tmp_path, name):
    path = tmp_path / "sub" / f"{name}.png"
    assert FIGURES[name](path) == os.fspath(path)
    assert path.read_bytes().startswith(PNG)
    picture = plt.imread(path)                      # decodes: a real, non-blank image
    assert picture.shape[0] > 20 and picture.shape[1] > 20 and picture.std() > 0.01
    assert os.listdir(path.parent) == [path.name]   # the temp file was renamed, not left
    assert plt.get_fignums() == []


def test_non_square_images_need_a_shape(tmp_path):
    with pytest.raises(ValueError, match="shape="):
        viz.image_grid(images(2, 12), tmp_path / "a.png")
    with pytest.raises(ValueError, match="holds 12 pixels"):
        viz.image_grid(images(2, 16), tmp_path / "a.png", shape=(3, 4))
    assert plt.get_fignums() == []


def test_wrong_shapes_are_explained(tmp_path):
    with pytest.raises(ValueError, match="PCA"):
        viz.codes_2d(images(5, 3), None, tmp_path / "c.png")
    with pytest.raises(ValueError, match=r"n\*n = 9"):
        viz.manifold(images(8), 3, tmp_path / "m.png")
    with pytest.raises(ValueError, match="one label per row"):
        viz.rows([images(2)], ["a", "b"], tmp_path / "r.png")
    assert not list(tmp_path.iterdir())


def test_pixels_in_unit_range_keep_their_grey_levels():
    x = numpy.full((2, 2, 2), 0.25)
    numpy.testing.assert_array_equal(viz._display_scale(x), x)
    w = numpy.arange(8.0).reshape(2, 2, 2) - 3.0      # weights: min-max per image
    scaled = viz._display_scale(w)
    assert scaled.min(axis=(1, 2)).tolist() == [0.0, 0.0]
    assert scaled.max(axis=(1, 2)).tolist() == [1.0, 1.0]
