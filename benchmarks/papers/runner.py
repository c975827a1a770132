"""``python -m benchmarks --papers``: run the rows of the papers table, write one JSON each.

    python -m benchmarks --papers [--quick] [--rows 6,1,7] [--resume] [--results DIR]
                                  [--set NAME=VALUE ...]

Each row runs its stages (see :mod:`benchmarks.papers.stages`; ``--resume`` reuses the
finished ones), then writes ``<results>/papers-<row>.json`` atomically: the paper's
figure and where it comes from, minidl's value, PyTorch's where the row has one, the
targets and verdicts, the recipe, the wall time and the machine. Full runs write to
``benchmarks/results/``, ``--quick`` runs (mnist-5k) to ``benchmarks/results/quick/`` so
they never overwrite a full result. ``python -m benchmarks --render`` then rebuilds the
README tables from those files.

``--set`` runs a row in part (rows in ``PARTS``): ``--rows 7 --set ks=10,70`` trains
only those two of the sweep's k, so the long sweep can run as lanes in parallel. Only
the setting that picks the figures can be set, to a subset of the row's own values: a
part is the row's recipe, never another one. The record names what was set
(``"overrides"``), and ``--render`` shows such a row as run in part: the figures it did
not run keep the lines an earlier render wrote.
"""
import argparse
import ast
import datetime
import functools
import os
import pathlib
import time
import traceback

from benchmarks.papers import common, rows_ae, rows_likelihood, rows_rbm

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
TITLES = {
    1: "784-32-784 autoencoder, 50 epochs (Keras tutorial)",
    2: "deep 784-128-64-32 autoencoder, 100 epochs (Keras tutorial)",
    3: "conv autoencoder 16-8-8, 50 epochs (Keras tutorial, lecture)",
    4: "RBM-pretrained 784-1000-500-250-30 deep AE vs PCA-30 (Hinton & Salakhutdinov 2006)",
    5: "DBN 784-500-500-2000 fine-tuned as a classifier",
    6: "RBM 784-500, CD-1 and CD-k (k from 1 to 25), AIS (Salakhutdinov & Murray 2008)",
    "6b": "centered RBM 784-500, PCD-1 (Melchior, Fischer & Wiskott 2016)",
    "6c": "plain RBM 784-500, PCD-1 (Tieleman 2008), the recipe of 6b",
    "6d": "centered RBM 784-500, PCD-1, visible biases started at 0 (6b without its data start)",
    7: "k-sparse AE, 1000 hidden, k = 25 (and the sweep over k), linear probe "
       "(Makhzani & Frey 2013)",
    8: "VAE 784-400-20, test -ELBO (Kingma & Welling 2014)",
    9: "PCA-30 and K-means baselines (minidl.metrics vs scikit-learn)",
}
RUN = {1: rows_ae.row_1, 2: rows_ae.row_2, 3: rows_ae.row_3, 4: rows_rbm.row_4,
       5: rows_rbm.row_5, 6: rows_likelihood.row_6, "6b": rows_likelihood.row_6b,
       "6c": rows_likelihood.row_6c, "6d": rows_likelihood.row_6d, 7: rows_ae.row_7,
       8: rows_ae.row_8, 9: rows_ae.row_9}
#: The rows that can run in part (``--set``): row -> (its settings per scale, the setting
#: that picks which of its figures run). Nothing else can be set: a changed recipe shown
#: as a part would stand in the table as the row's own figures (and ``--resume`` would
#: reuse stages trained with the other settings, since stage names do not carry them).
PARTS = {7: (rows_ae.ROW7, "ks")}
#: Every row in table order: numbers, and "6b" / "6c" / "6d" for the rows that extend row 6.
ROWS = list(RUN)
SCHEMA = 1


class Context:
    """What a row function gets: scale, data (loaded once), stages, the sides runner."""

    def __init__(self, scale, stages, *, verbose, timeout, overrides=None):
        self.scale, self.stages, self.verbose, self.timeout = scale, stages, verbose, timeout
        self.overrides = dict(overrides or {})

    def settings(self, table):
        """The row's settings at this scale, with what ``--set`` changed."""
        return {**table[self.scale], **self.overrides}

    @functools.lru_cache(maxsize=None)
    def data(self):
        return common.load_data(self.scale)

    def sides(self, name):
        """Run ``minidl_<name>`` and ``torch_<name>`` of papers.sides, each in a fresh process."""
        from benchmarks._runner import _side_env, run_side
        env = dict(_side_env(None, None), MINIDL_PAPERS_SCALE=self.scale)
        out = {}
        for side in ("minidl", "torch"):
            print(f"  side {side} ({name}) ...", flush=True)
            out[side] = run_side(f"benchmarks.papers.sides:{side}_{name}",
                                 quick=self.scale != "full", timeout=self.timeout, env=env)
            if out[side]["status"] != "ok":
                print(f"  side {side}: {out[side]['status']}: {out[side].get('reason', '')}")
        return out


def run_row(n, *, scale, results_dir, resume, verbose=1, timeout=4 * 3600, overrides=None):
    """Run row ``n`` and write its JSON; returns the record. ``overrides``: the settings
    ``--set`` changed (checked by :func:`check_overrides`)."""
    from benchmarks.papers.stages import Stages
    stages = Stages(results_dir / "stages" / scale / f"row-{n}", resume=resume)
    ctx = Context(scale, stages, verbose=verbose, timeout=timeout, overrides=overrides)
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    record = {"schema": SCHEMA, "row": n, "title": TITLES[n], "scale": scale,
              "started": started}
    if overrides:
        record["overrides"] = {k: list(v) if isinstance(v, tuple) else v
                               for k, v in overrides.items()}
    try:
        out = RUN[n](ctx)
        record.update(status="ok", results=out["results"], recipe=out["recipe"],
                      details=out.get("details", {}))
    except Exception as err:  # a broken row must not stop the others; its JSON says why
        traceback.print_exc()
        record.update(status="failed", error=f"{type(err).__name__}: {err}", results=[])
    record.update(dataset=ctx.data().name if record["status"] == "ok" else None,
                  wall_seconds=stages.seconds(),
                  this_run_seconds=time.perf_counter() - start,
                  stages=stages.summary(), machine=common.machine(),
                  finished=datetime.datetime.now(datetime.timezone.utc)
                  .isoformat(timespec="seconds"))
    common.write_json(results_dir / f"papers-{n}.json", record)
    return record


def row_id(token):
    """The key of RUN that a command-line token names: "6" -> 6, "6b" -> "6b" (None if unknown)."""
    token = token.strip()
    key = int(token) if token.isdigit() else token
    return key if key in RUN else None


def parse_rows(text):
    rows = [row_id(t) for t in text.split(",") if t.strip()]
    if not rows or any(r is None for r in rows):
        raise argparse.ArgumentTypeError(f"--rows {text!r}: expected a comma-separated list "
                                         f"of rows from {', '.join(map(str, ROWS))}, e.g. "
                                         f"6,6b,1")
    return rows


def parse_set(text):
    """``NAME=VALUE`` (a Python literal; ``ks=10,70`` is a tuple) -> (name, value)."""
    name, sep, value = text.partition("=")
    try:
        if not (sep and name.strip().isidentifier()):
            raise ValueError
        return name.strip(), ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(
            f"--set {text!r}: expected NAME=VALUE with a Python literal as the value, "
            f"e.g. --set ks=10,70 or --set epochs=300") from None


def check_overrides(rows, scale, pairs):
    """The ``--set`` pairs as a dict, checked against every row run: only a row's part
    setting, to a subset of its values at this scale (one value alone is a subset of one).
    Anything else would be ignored or would change the recipe, so it is refused."""
    if not pairs:
        return {}
    other = [str(n) for n in rows if n not in PARTS]
    if other:
        raise SystemExit(f"--set applies to rows {', '.join(map(str, PARTS))} only (they can "
                         f"run in part); row {', '.join(other)} cannot: run it without --set, "
                         f"or name only rows {', '.join(map(str, PARTS))} in --rows")
    out = {}
    for name, value in pairs:
        value = value if isinstance(value, tuple) else (value,)
        for n in rows:
            table, part = PARTS[n]
            full = table[scale][part]
            if name != part:
                raise SystemExit(f"--set {name}=...: row {n} runs in part by {part!r} only "
                                 f"(its other settings are the recipe, fixed in the code); "
                                 f"e.g. --set {part}={full[-1]}")
            if not value or len(set(value)) < len(value) or not set(value) <= set(full):
                raise SystemExit(f"--set {name}={','.join(map(str, value))}: row {n}'s "
                                 f"{name} at scale {scale!r} are {', '.join(map(str, full))}; "
                                 f"give some of those, each once")
        out[name] = value
    return out


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks --papers",
                                description="Reproduce the papers' headline numbers on MNIST.")
    p.add_argument("--papers", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true",
                   help="mnist-5k, small settings, minutes (results in results/quick/)")
    p.add_argument("--scale", choices=common.SCALES, help=argparse.SUPPRESS)  # tests: tiny
    p.add_argument("--rows", type=parse_rows, default=ROWS, metavar="1,2,...",
                   help="rows to run, in this order (default: all)")
    p.add_argument("--resume", action="store_true", help="reuse the finished stages")
    p.add_argument("--results", metavar="DIR", help="where the JSON goes")
    p.add_argument("--verbose", type=int, default=1, help="0 silent, 1 progress bars")
    p.add_argument("--set", type=parse_set, action="append", default=[], metavar="NAME=VALUE",
                   help="run a row in part: only some of its figures, by the one setting "
                        "that picks them (row 7: ks), e.g. --rows 7 --set ks=10,70")
    return p.parse_args(argv)


def main(argv=None):
    from benchmarks.papers.render import table_lines
    args = parse_args(argv)
    scale = args.scale or ("quick" if args.quick else "full")
    results_dir = pathlib.Path(args.results) if args.results else (
        RESULTS if scale == "full" else RESULTS / scale)
    overrides = check_overrides(args.rows, scale, args.set)
    os.makedirs(results_dir, exist_ok=True)
    try:
        from tqdm import tqdm
        rows = tqdm(args.rows, desc="papers", unit="row")
    except ImportError:
        rows = args.rows
    records = []
    for n in rows:
        print(f"\nrow {n}: {TITLES[n]} [{scale}]", flush=True)
        records.append(run_row(n, scale=scale, results_dir=results_dir, resume=args.resume,
                               verbose=args.verbose, overrides=overrides))
        print("\n".join(table_lines([records[-1]])[2:]), flush=True)
    print(f"\nresults in {results_dir}/papers-<row>.json")
    return 1 if any(r["status"] != "ok" for r in records) else 0
