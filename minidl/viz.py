"""Figures as PNG files: image grids, reconstructions, filters, codes, curves, chains.

Every function takes host or device arrays, draws with matplotlib's Agg backend
(files, never windows), writes ``path`` atomically (a temp file, then a rename),
closes its figure and returns ``path``.

Images are rows of length D = rows * cols (or arrays already shaped (N, rows, cols));
``shape=(rows, cols)`` says how to fold a row, and may be left out for square images.
Pixels in [0, 1] are drawn on that fixed grey scale (0 black, 1 white, as in the
lecture slides); anything else, such as weights, is min-max scaled image by image.
"""
import os
import tempfile

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy  # noqa: E402

from minidl import backend  # noqa: E402

_UMASK = os.umask(0o022)
os.umask(_UMASK)

__all__ = ["image_grid", "rows", "reconstructions", "filters", "codes_2d", "strip",
           "manifold", "curves", "gibbs_chains", "feature_maps"]


# --- helpers ----------------------------------------------------------------------------
def _as_images(images, shape=None):
    """Host float array (N, rows, cols) from (N, D) rows or (N, rows, cols) images."""
    x = numpy.asarray(backend.to_host(images), dtype=numpy.float64)
    if x.ndim == 3:
        return x
    if x.ndim != 2:
        raise ValueError(f"expected images of shape (N, D) or (N, rows, cols), got {x.shape}")
    if shape is None:
        side = int(round(x.shape[1] ** 0.5))
        if side * side != x.shape[1]:
            raise ValueError(f"images have {x.shape[1]} pixels, not a square number: pass "
                             f"shape=(rows, cols), e.g. datasets.image_shape(name)")
        shape = (side, side)
    if shape[0] * shape[1] != x.shape[1]:
        raise ValueError(f"shape={tuple(shape)} holds {shape[0] * shape[1]} pixels but the "
                         f"images have {x.shape[1]}")
    return x.reshape(len(x), *shape)


def _display_scale(x):
    """Pixels in [0, 1] stay as they are; anything else is min-max scaled per image."""
    if x.size and x.min() >= 0.0 and x.max() <= 1.0:
        return x
    lo = x.min(axis=(1, 2), keepdims=True)
    hi = x.max(axis=(1, 2), keepdims=True)
    return (x - lo) / numpy.maximum(hi - lo, 1e-12)


def _mosaic(x, ncols, pad=1):
    """Tile images (N, h, w) into one (R*(h+pad)+pad, C*(w+pad)+pad) array, grey padding."""
    n, h, w = x.shape
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    out = numpy.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), 0.5)
    for i in range(n):  # one slice assignment per tile
        r, c = divmod(i, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h,
            pad + c * (w + pad): pad + c * (w + pad) + w] = x[i]
    return out


def _save(fig, path):
    """Write ``fig`` to ``path`` atomically, close it, return ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    ext = os.path.splitext(path)[1].lstrip(".") or "png"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".fig-", suffix="." + ext)
    os.close(fd)
    try:
        fig.savefig(tmp, format=ext, dpi=100, bbox_inches="tight")
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes private files; use the usual mode
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _show_mosaic(x, ncols, title, row_labels=None):
    """A figure showing images (N, h, w) as one grey mosaic."""
    x = _display_scale(x)
    mosaic = _mosaic(x, ncols)
    height, width = mosaic.shape
    inch = max(1 / 25, 0.7 / (x.shape[1] + 1))  # per mosaic pixel: tiles >= 0.7 inch
    inch *= min(1.0, 12.0 / (width * inch), 14.0 / (height * inch))  # at most 12 x 14 in
    fig, ax = plt.subplots(figsize=(width * inch, height * inch + (0.4 if title else 0.1)))
    ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if row_labels is not None:
        h = x.shape[1] + 1
        ax.set_yticks([1 + h * i + h / 2 for i in range(len(row_labels))])
        ax.set_yticklabels(row_labels)
        ax.tick_params(length=0)
    if title:
        ax.set_title(title)
    return fig


# --- image figures -------------------------------------------------------------------------
def image_grid(images, path, *, shape=None, ncols=10, title=None):
    """A grid of images (N, D), ``ncols`` per row."""
    return _save(_show_mosaic(_as_images(images, shape), ncols, title), path)


def rows(list_of_image_sets, labels, path, *, n=10, shape=None, title=None):
    """One labelled row per image set, its first ``n`` images (e.g. noisy / clean / output)."""
    if len(list_of_image_sets) != len(labels):
        raise ValueError(f"rows: {len(list_of_image_sets)} image sets but {len(labels)} "
                         f"labels; give one label per row")
    sets = [_as_images(s, shape)[:n] for s in list_of_image_sets]
    n = min(len(s) for s in sets)
    stacked = numpy.concatenate([_display_scale(s[:n]) for s in sets])
    return _save(_show_mosaic(stacked, n, title, row_labels=list(labels)), path)


def reconstructions(originals, reconstructed, path, *, n=10, shape=None, title=None):
    """Originals above their reconstructions, the lecture's layout."""
    return rows([originals, reconstructed], ["original", "reconstruction"], path,
                n=n, shape=shape, title=title)


def filters(W, path, *, shape=None, n=100, ncols=10, title=None):
    """The first ``n`` columns of a weight matrix W (D, K), each drawn as an image.

    Each filter is min-max scaled on its own, so the pattern it responds to shows.
    """
    W = numpy.asarray(backend.to_host(W), dtype=numpy.float64)
    if W.ndim != 2:
        raise ValueError(f"filters expects a weight matrix (D, K), got shape {W.shape}")
    x = _as_images(W[:, :n].T, shape)
    lo = x.min(axis=(1, 2), keepdims=True)
    x = (x - lo) / numpy.maximum(x.max(axis=(1, 2), keepdims=True) - lo, 1e-12)
    return _save(_show_mosaic(x, ncols, title), path)


def strip(images, path, *, shape=None, title=None):
    """Images in one row, e.g. a latent interpolation from left to right."""
    x = _as_images(images, shape)
    return _save(_show_mosaic(x, len(x), title), path)


def manifold(images, n, path, *, shape=None, title=None):
    """An n x n grid of decoded images, e.g. a VAE's 2-D latent manifold."""
    x = _as_images(images, shape)
    if len(x) != n * n:
        raise ValueError(f"manifold: expected n*n = {n * n} images, got {len(x)}")
    return _save(_show_mosaic(x, n, title), path)


def gibbs_chains(chains, path, *, shape=None, title=None):
    """Gibbs chains (steps shown, n chains, D): one column per chain, time runs down."""
    c = numpy.asarray(backend.to_host(chains))
    if c.ndim != 3:
        raise ValueError(f"gibbs_chains expects (steps shown, n chains, D), got {c.shape}")
    x = _as_images(c.reshape(-1, c.shape[2]), shape)
    labels = [f"step {i}" for i in range(c.shape[0])]
    return _save(_show_mosaic(x, c.shape[1], title, row_labels=labels), path)


def feature_maps(maps, path, *, title=None, ncols=8):
    """Conv feature maps (C, H, W) as heatmaps, each channel on its own colour scale."""
    m = numpy.asarray(backend.to_host(maps), dtype=numpy.float64)
    if m.ndim != 3:
        raise ValueError(f"feature_maps expects (C, H, W) for one image, got {m.shape}: "
                         f"pick one sample, e.g. maps[0]")
    ncols = max(1, min(ncols, len(m)))
    nrows = -(-len(m) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.3 * nrows + 0.4),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(m):
            ax.imshow(m[i], cmap="viridis", interpolation="nearest")
            ax.set_title(f"{i}", fontsize=7)
    if title:
        fig.suptitle(title)
    return _save(fig, path)


# --- plots ------------------------------------------------------------------------------
def codes_2d(Z, labels, path, *, title=None):
    """A scatter of 2-D codes Z (N, 2), coloured by label (``labels`` may be None)."""
    Z = numpy.asarray(backend.to_host(Z), dtype=numpy.float64)
    if Z.ndim != 2 or Z.shape[1] != 2:
        raise ValueError(f"codes_2d expects codes of shape (N, 2), got {Z.shape}: project "
                         f"them first, e.g. metrics.PCA(2).fit(Z).transform(Z)")
    fig, ax = plt.subplots(figsize=(6, 5))
    if labels is None:
        ax.scatter(Z[:, 0], Z[:, 1], s=4, alpha=0.6)
    else:
        y = numpy.asarray(backend.to_host(labels))
        top = max(9, int(y.max()))                      # tab10 colours for digits 0..9
        points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10" if top == 9 else "viridis",
                            s=4, alpha=0.7, vmin=-0.5, vmax=top + 0.5)
        fig.colorbar(points, ax=ax, ticks=numpy.unique(y)[:20], label="label")
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    if title:
        ax.set_title(title)
    return _save(fig, path)


def curves(series_dict, path, *, title=None, xlabel="epoch", ylabel=None):
    """Line plots of named series: ``{"train": [...], "validation": [...]}``.

    A value may be a list of y values (x = 1, 2, ...) or a pair ``(xs, ys)``.
    """
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, series in series_dict.items():
        if isinstance(series, tuple) and len(series) == 2:
            xs, ys = (numpy.asarray(backend.to_host(s), dtype=float) for s in series)
        else:
            ys = numpy.asarray([float(v) for v in series])
            xs = numpy.arange(1, len(ys) + 1)
        ax.plot(xs, ys, marker="o" if len(ys) < 30 else None, markersize=3, label=name)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if series_dict:
        ax.legend()
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return _save(fig, path)
