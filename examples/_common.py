"""What every example script shares: its command-line flags and what it returns.

An example is a module ``examples/<name>.py`` with a ``TITLE`` string and a
``main(argv=None) -> Result`` function; run alone it is ``python -m examples.<name>``,
and ``python -m examples`` runs them all into one gallery.
"""
import argparse
import os
from dataclasses import dataclass, field

from minidl import backend


@dataclass
class Result:
    """What an example produced: figures with captions, and measured numbers."""
    figures: list = field(default_factory=list)   # [(png path, caption), ...]
    metrics: dict = field(default_factory=dict)   # {"test BCE": 0.093, ...}
    notes: str = ""

    def add_figure(self, path, caption):
        self.figures.append((path, caption))
        return path


def parse_args(description, argv=None, *, epochs, full_epochs=None, dataset="mnist-5k",
               extra=None):
    """The flags every example takes: --epochs --seed --backend --dataset --out --full.

    ``epochs`` is the quick default and ``full_epochs`` the default under --full; an
    explicit --epochs always wins.

    ``extra(parser)`` may add the example's own flags. Switches the backend and
    creates the output folder before returning.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"training epochs (default {epochs}; more with --full)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default=backend.current(),
                        help="array backend (default: $MINIDL_BACKEND or numpy)")
    parser.add_argument("--dataset", default=dataset, help=f"dataset name (default {dataset})")
    parser.add_argument("--out", default="gallery", help="folder for figures (default gallery/)")
    parser.add_argument("--full", action="store_true",
                        help="paper-scale settings (full MNIST when present, more epochs)")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = full_epochs if (args.full and full_epochs) else epochs
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    backend.use(args.backend)
    os.makedirs(args.out, exist_ok=True)
    return args


def out_path(args, name):
    """``<args.out>/<name>.png``."""
    return os.path.join(args.out, f"{name}.png")
