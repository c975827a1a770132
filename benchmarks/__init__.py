"""Speed benchmarks: minidl against PyTorch (and scikit-learn), side by side.

Also ``python -m benchmarks --papers [--quick] [--rows 1,2] [--resume]``: the papers
table on full MNIST (:mod:`benchmarks.papers`), and ``python -m benchmarks --render``:
the README's generated tables from the JSON results.

Run ``python -m benchmarks [--quick] [--only NAME ...] [--out FILE.json] [--repeat N]``.

A benchmark module is ``benchmarks/bench_<topic>.py`` with a list

    BENCHMARKS = [dict(name="ae_784_32", description="...",
                       sides={"minidl": "benchmarks.bench_core:ae_minidl",
                              "torch": "benchmarks.bench_core:ae_torch"},
                       baseline="torch", target=1.0)]

Each side is a function ``f(quick: bool) -> {"seconds": float, ...}`` that imports
what it needs inside the function; the runner calls it in a fresh Python process
(``python -m benchmarks._side module:function``), so the sides never share
imports, caches or thread pools. A side whose package is missing raises
ImportError and is reported as skipped. The table gives each side's seconds and
the ratio minidl / baseline, which passes when it is at most ``target``.
"""
