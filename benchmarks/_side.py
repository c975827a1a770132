"""Run one benchmark side in this (fresh) process and print its result as JSON.

    python -m benchmarks._side package.module:function [--quick]

The last line of stdout is ``BENCHMARK-RESULT {json}``: the function's dict, or
``{"skipped": reason}`` when it raised ImportError. Anything else it printed is
left above that line. Other exceptions propagate (non-zero exit, traceback on stderr).
"""
import argparse
import importlib
import json
import math
import sys

MARKER = "BENCHMARK-RESULT "


def resolve(target):
    """The function named by ``"package.module:function"``."""
    module_name, sep, func_name = target.partition(":")
    if not sep or not module_name or not func_name:
        raise ValueError(f"side {target!r} must be written 'package.module:function'")
    return getattr(importlib.import_module(module_name), func_name)


def run(target, quick):
    try:
        result = resolve(target)(quick)
    except ImportError as err:
        return {"skipped": f"{type(err).__name__}: {err}"}
    if not isinstance(result, dict) or "seconds" not in result:
        raise TypeError(f"{target} returned {result!r}: a side must return a dict with "
                        f"'seconds' (the figure-of-merit time) and optional other numbers")
    return {k: _plain(v) for k, v in result.items()}


def _plain(value):
    """JSON-friendly numbers (NumPy scalars -> float; nan/inf -> None)."""
    if isinstance(value, (bool, str)) or value is None:
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.target, args.quick)
    sys.stdout.flush()
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
