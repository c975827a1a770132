"""Smoke runs of the autoencoder gallery examples: one epoch on the small 8x8 digits."""
import importlib
import os

import pytest

import examples

AE_EXAMPLES = [n for n in examples.names() if n.startswith("ae_")]


def test_the_autoencoder_examples_are_all_there():
    assert len(AE_EXAMPLES) >= 10, AE_EXAMPLES


@pytest.mark.parametrize("name", AE_EXAMPLES)
def test_example_runs_and_writes_its_figures(name, tmp_path, backend_name):
    pytest.importorskip("mlxtend")
    module = importlib.import_module(f"examples.{name}")
    assert module.__doc__ and isinstance(module.TITLE, str)
    result = module.main(["--epochs", "1", "--dataset", "digits", "--out", str(tmp_path),
                          "--backend", backend_name])
    assert result.figures and all(os.path.getsize(path) > 0 for path, _ in result.figures)
    assert result.metrics and all(value == value for value in result.metrics.values())  # no NaN
