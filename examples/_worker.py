"""Running one example of the gallery, in this process or in a worker process.

Kept apart from ``examples/__main__.py`` so that worker processes (started fresh, with
"spawn") can import it by name.
"""
import contextlib
import importlib
import io
import os
import sys
import time
import traceback


class _Tee(io.TextIOBase):
    """Writes to the console and keeps a copy, to see which metrics an example printed."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text):
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


def status_of(record):
    """"ok", "FAILED" (raised), "CLAIM FAILED" (a claim did not hold) or "NO CLAIM"."""
    if record["error"] is not None:
        return "FAILED"
    if not record["claims"]:
        return "NO CLAIM"
    return "ok" if all(c["passed"] for c in record["claims"]) else "CLAIM FAILED"


def run_one(name, out, *, full=False, backend=None, seed=None, stream=None):
    """Run ``examples.<name>``: a dict with status, seconds, title, claims, figures, metrics.

    Its console output goes to ``stream`` (default: sys.stdout) and into ``record["output"]``.
    """
    record = {"name": name, "title": name, "figures": [], "metrics": {}, "claims": [],
              "notes": "", "error": None, "folder": os.path.join(out, name)}
    argv = ["--out", record["folder"]] + (["--full"] if full else [])
    if backend:
        argv += ["--backend", backend]
    if seed is not None:
        argv += ["--seed", str(seed)]
    tee = _Tee(stream if stream is not None else sys.stdout)
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        module = importlib.import_module(f"examples.{name}")
        record["title"] = getattr(module, "TITLE", name)
        with contextlib.redirect_stdout(tee):
            result = module.main(argv)
        record["figures"] = [(os.path.relpath(p, out), c) for p, c in result.figures]
        record["metrics"] = dict(result.metrics)
        record["claims"] = [dict(statement=c.statement, value=c.value, op=c.op,
                                 reference=c.reference, passed=c.passed, line=c.line())
                            for c in result.claims]
        record["notes"] = result.notes
    except BaseException as err:  # noqa: B036  SystemExit from argparse counts as a failure
        if isinstance(err, KeyboardInterrupt):
            raise
        record["error"] = traceback.format_exc()
    record["seconds"] = time.perf_counter() - start
    record["cpu_seconds"] = time.process_time() - cpu_start   # this process's CPU time
    record["status"] = status_of(record)
    printed = tee.copy.getvalue()
    # an example prints its own metrics (Result.report()); the gallery prints any it forgot
    record["unprinted"] = [str(k) for k in record["metrics"] if str(k) not in printed]
    with contextlib.redirect_stdout(tee):
        for key in record["unprinted"]:
            print(f"{key}: {_fmt(record['metrics'][key])}")
    record["output"] = tee.copy.getvalue()
    return record


def _worker_init():
    """A worker process: one BLAS thread each, so that N workers share N cores fairly."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _run_quietly(name, out, full, backend, seed=None):
    """run_one in a worker: the output is collected and printed by the parent."""
    return run_one(name, out, full=full, backend=backend, seed=seed, stream=io.StringIO())


def _fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)
