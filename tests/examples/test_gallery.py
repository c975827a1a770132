import importlib
import os
import subprocess
import sys

import pytest

import examples
from examples import __main__ as gallery

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_example_follows_the_contract():
    names = examples.names()
    assert {"kmeans_pca", "datasets_overview"} <= set(names)
    for name in names:
        module = importlib.import_module(f"examples.{name}")
        assert module.__doc__ and isinstance(module.TITLE, str) and callable(module.main), name


def test_quick_gallery_smoke_run_writes_index(tmp_path):
    pytest.importorskip("mlxtend")
    pytest.importorskip("sklearn")
    out = tmp_path / "gallery"
    result = subprocess.run([sys.executable, "-m", "examples", "--quick", "--only",
                             "datasets_overview", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[1/1] datasets_overview: ok" in result.stdout
    index = (out / "index.md").read_text()
    figures = sorted(p.name for p in (out / "datasets_overview").iterdir())
    assert figures == ["bars_and_stripes.png", "digits.png", "mnist_5k.png"]
    for name in figures:
        assert f"(datasets_overview/{name})" in index
    assert "mnist-5k train / test size | 4000 / 1000" in index
    assert (out / "index.html").exists()


def test_kmeans_pca_example_measures_clustering(tmp_path):
    pytest.importorskip("sklearn")
    from examples import kmeans_pca
    result = kmeans_pca.main(["--out", str(tmp_path)])
    assert len(result.figures) == 4 and all(os.path.getsize(p) > 0 for p, _ in result.figures)
    assert 0.6 < result.metrics["k-means clustering accuracy"] <= 1.0
    assert 0.5 < result.metrics["k-means NMI"] <= 1.0


def test_a_failing_example_is_reported_and_the_others_still_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("mlxtend")
    pytest.importorskip("sklearn")
    monkeypatch.setattr(gallery, "example_names", lambda: ["_no_such_example",
                                                           "datasets_overview"])
    status = gallery.main(["--out", str(tmp_path)])
    assert status == 1
    index = (tmp_path / "index.md").read_text()
    assert "**FAILED**" in index and "ModuleNotFoundError" in index
    assert "(datasets_overview/mnist_5k.png)" in index
    assert "1 ok, 1 failed (_no_such_example)" in capsys.readouterr().out


def test_unknown_only_name_lists_the_available_ones(capsys):
    with pytest.raises(SystemExit):
        gallery.main(["--only", "nonexistent"])
    assert "kmeans_pca" in capsys.readouterr().err


def test_list_prints_titles(capsys):
    assert gallery.main(["--list", "--only", "kmeans_pca"]) == 0
    assert "K-means and PCA" in capsys.readouterr().out


def test_full_switches_the_default_epochs_but_an_explicit_value_wins(tmp_path):
    from examples._common import parse_args
    out = str(tmp_path)
    assert parse_args("d", ["--out", out], epochs=8, full_epochs=50).epochs == 8
    assert parse_args("d", ["--out", out, "--full"], epochs=8, full_epochs=50).epochs == 50
    assert parse_args("d", ["--out", out, "--full", "--epochs", "8"], epochs=8,
                      full_epochs=50).epochs == 8
    assert parse_args("d", ["--out", out, "--full"], epochs=8).epochs == 8
