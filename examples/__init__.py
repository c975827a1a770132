"""The examples gallery: one short script per lecture topic.

Each module ``examples/<name>.py`` (names not starting with "_") defines ``TITLE``
and ``main(argv=None) -> Result`` (see :mod:`examples._common`). Run one alone with
``python -m examples.<name> [--epochs N --seed S --backend numpy|cupy --dataset D
--out DIR --full]``, or all of them into one gallery with ``python -m examples``.
"""
import pkgutil

__all__ = ["names"]


def names():
    """Names of every example module in this package, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_") and not m.ispkg)
