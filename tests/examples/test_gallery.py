import importlib
import json
import os
import subprocess
import sys
import types

import pytest

import examples
from examples import __main__ as gallery
from examples._common import Result

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_example_follows_the_contract():
    names = examples.names()
    assert {"kmeans_pca", "datasets_overview"} <= set(names)
    for name in names:
        module = importlib.import_module(f"examples.{name}")
        assert module.__doc__ and isinstance(module.TITLE, str) and callable(module.main), name


# --- the quick gallery, once: every example of the package, every claim must hold -------
# One subprocess runs `python -m examples --quick` (one worker per core, fixed seed 0) and
# writes results.json; the tests below read it. It is the slowest test of the suite,
# budgeted at 5 minutes on 2 cores for the whole gallery (the subprocess is killed after
# 10). New examples are picked up by examples.names(), with nothing to register.

@pytest.fixture(scope="module")
def quick_gallery(tmp_path_factory, backend_name):
    if backend_name != "numpy":
        pytest.skip("the gallery's claims are checked on NumPy; on a GPU run "
                    "`python -m examples --backend cupy` by hand")
    pytest.importorskip("mlxtend")
    pytest.importorskip("sklearn")
    out = tmp_path_factory.mktemp("gallery")
    proc = subprocess.run([sys.executable, "-m", "examples", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    report = json.loads((out / "results.json").read_text())
    return proc, report, out


def test_quick_gallery_runs_every_example(quick_gallery):
    proc, report, _ = quick_gallery
    assert report["mode"] == "quick"
    assert [r["name"] for r in report["examples"]] == examples.names()
    crashed = {r["name"]: r["error"] for r in report["examples"] if r["error"]}
    assert not crashed, "\n\n".join(f"{k}:\n{v}" for k, v in crashed.items())


def test_every_example_states_claims_and_every_claim_holds(quick_gallery):
    proc, report, _ = quick_gallery
    unproven = [r["name"] for r in report["examples"] if not r["claims"] and not r["error"]]
    assert not unproven, f"examples without a claim: {unproven}"
    failed = [f"{r['name']}: {c['line']}" for r in report["examples"] for c in r["claims"]
              if not c["passed"]]
    assert not failed, "claims that did not hold:\n" + "\n".join(failed)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_quick_gallery_index_shows_claims_beside_figures(quick_gallery):
    _, report, out = quick_gallery
    index = (out / "index.md").read_text(encoding="utf-8")
    html = (out / "index.html").read_text(encoding="utf-8")
    for r in report["examples"]:
        for c in r["claims"]:
            assert c["line"] in index
        for path, _caption in r["figures"]:
            assert f"({path})" in index and os.path.getsize(out / path) > 0
    assert "✓" in index and "✓" in html


def test_every_example_prints_its_own_metrics(quick_gallery):
    _, report, _ = quick_gallery
    silent = {r["name"]: r["unprinted"] for r in report["examples"] if r.get("unprinted")}
    assert not silent, f"metrics the example did not print (call result.report()): {silent}"


# --- the mechanism, on fake examples (in this process, --jobs 1) -------------------------

def _fake_example(monkeypatch, name, claims):
    """Register examples.<name>: a main() that makes ``claims`` [(value, op, ref), ...]."""
    module = types.ModuleType(f"examples.{name}")
    module.__doc__, module.TITLE = "A fake example.", f"fake {name}"

    def main(argv=None):
        result = Result()
        result.metrics["a number"] = 1.5      # not printed: the gallery prints it
        for value, op, reference in claims:
            result.claim(f"{name} claim", value, op, reference)
        return result

    module.main = main
    monkeypatch.setitem(sys.modules, f"examples.{name}", module)
    return name


@pytest.mark.parametrize("claims, status", [([(2, ">", 1)], "ok"),
                                            ([(2, ">", 1), (2, "<", 1)], "CLAIM FAILED"),
                                            ([], "NO CLAIM")])
def test_gallery_fails_on_a_failed_claim_or_no_claim(tmp_path, monkeypatch, capsys, claims,
                                                     status):
    name = _fake_example(monkeypatch, "_fake", claims)
    monkeypatch.setattr(gallery, "example_names", lambda: [name])
    code = gallery.main(["--out", str(tmp_path), "--jobs", "1"])
    assert code == (0 if status == "ok" else 1)
    printed = capsys.readouterr().out
    assert f"_fake: {status}" in printed and "a number: 1.5" in printed
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["examples"][0]["status"] == status
    assert report["examples"][0]["unprinted"] == ["a number"]
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    if status == "CLAIM FAILED":
        assert "✗ _fake claim: 2 < 1" in index and "✓ _fake claim: 2 > 1" in index
    if status == "NO CLAIM":
        assert "No claim" in index


def test_quick_gallery_smoke_run_in_workers_writes_index(tmp_path):
    pytest.importorskip("mlxtend")
    pytest.importorskip("sklearn")
    out = tmp_path / "gallery"
    result = subprocess.run([sys.executable, "-m", "examples", "--quick", "--jobs", "2",
                             "--only", "datasets_overview", "kmeans_pca", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "datasets_overview: ok" in result.stdout and "kmeans_pca: ok" in result.stdout
    index = (out / "index.md").read_text(encoding="utf-8")
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
    assert result.ok


def test_a_failing_example_is_reported_and_the_others_still_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("mlxtend")
    pytest.importorskip("sklearn")
    monkeypatch.setattr(gallery, "example_names", lambda: ["_no_such_example",
                                                           "datasets_overview"])
    status = gallery.main(["--out", str(tmp_path), "--jobs", "1"])
    assert status == 1
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "**FAILED**" in index and "ModuleNotFoundError" in index
    assert "(datasets_overview/mnist_5k.png)" in index
    assert "1 ok, 1 not ok: _no_such_example (FAILED)" in capsys.readouterr().out


def test_unknown_only_name_lists_the_available_ones(capsys):
    with pytest.raises(SystemExit):
        gallery.main(["--only", "nonexistent"])
    assert "kmeans_pca" in capsys.readouterr().err


def test_jobs_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        gallery.main(["--jobs", "0"])
    assert "--jobs must be at least 1, got 0" in capsys.readouterr().err


def test_list_prints_titles(capsys):
    assert gallery.main(["--list", "--only", "kmeans_pca"]) == 0
    assert "K-means and PCA" in capsys.readouterr().out


def test_claim_checks_its_operator_and_records_the_verdict(capsys):
    result = Result()
    assert result.claim("more", 2, ">", 1) and not result.claim("less", 2, "<", 1)
    assert [c.passed for c in result.claims] == [True, False] and not result.ok
    assert "✓ more: 2 > 1" in capsys.readouterr().out
    with pytest.raises(ValueError, match="op"):
        result.claim("bad", 1, "==", 1)
    assert not Result().ok


def test_full_switches_the_default_epochs_but_an_explicit_value_wins(tmp_path):
    from examples._common import parse_args
    out = str(tmp_path)
    assert parse_args("d", ["--out", out], epochs=8, full_epochs=50).epochs == 8
    assert parse_args("d", ["--out", out, "--full"], epochs=8, full_epochs=50).epochs == 50
    assert parse_args("d", ["--out", out, "--full", "--epochs", "8"], epochs=8,
                      full_epochs=50).epochs == 8
    assert parse_args("d", ["--out", out, "--full"], epochs=8).epochs == 8


def test_full_switches_the_bundled_digits_to_full_mnist_but_an_explicit_dataset_wins(tmp_path):
    from examples._common import parse_args
    out = str(tmp_path)
    assert parse_args("d", ["--out", out], epochs=1).dataset == "mnist-5k"
    assert parse_args("d", ["--out", out, "--full"], epochs=1).dataset == "mnist"
    assert parse_args("d", ["--out", out, "--full", "--dataset", "mnist-5k"],
                      epochs=1).dataset == "mnist-5k"
    assert parse_args("d", ["--out", out, "--full"], epochs=1, dataset="digits").dataset == "digits"


# --- an example run alone exits with its verdict, as the gallery does ---------------------

def test_every_example_run_alone_exits_with_its_verdict():
    import ast
    for name in examples.names():
        path = os.path.join(ROOT, "examples", f"{name}.py")
        tree = ast.parse(open(path, encoding="utf-8").read())
        last = tree.body[-1]
        assert isinstance(last, ast.If) and "__main__" in ast.unparse(last.test), name
        assert ast.unparse(last.body[-1]) == "run_alone(main)", name


@pytest.mark.parametrize("claims, code", [([(2, ">", 1)], 0), ([(2, ">", 1), (2, "<", 1)], 1),
                                          ([], 1)])
def test_run_alone_exits_1_on_a_failed_claim_or_no_claim(capsys, claims, code):
    from examples._common import run_alone

    def main(argv=None):
        result = Result()
        for value, op, reference in claims:
            result.claim("a claim", value, op, reference)
        return result

    with pytest.raises(SystemExit) as exit_:
        run_alone(main)
    assert exit_.value.code == code
    if code:
        assert ("did not hold: a claim" if claims else "no claim") in capsys.readouterr().err


_FAIL_EVERY_CLAIM = """
import runpy, sys
from examples import _common
real = _common.Result.claim
def claim(self, statement, value, op, reference):   # the opposite operator: the claim fails
    flipped = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}[op]
    return real(self, statement, value, flipped, reference)
_common.Result.claim = claim
sys.argv = ["oja_rule", "--out", sys.argv[1]]
runpy.run_module("examples.oja_rule", run_name="__main__")
"""


def test_a_real_example_run_alone_exits_1_when_its_claim_fails(tmp_path):
    # python -m examples.oja_rule (5 s), with every claim's operator flipped so that it fails
    proc = subprocess.run([sys.executable, "-c", _FAIL_EVERY_CLAIM, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert "✗" in proc.stdout and "claims that did not hold" in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr


def test_gallery_seed_reaches_every_example(tmp_path, monkeypatch):
    seen = []
    module = types.ModuleType("examples._fake_seed")
    module.__doc__, module.TITLE = "A fake example.", "fake seed"

    def main(argv=None):
        seen.append(list(argv))
        result = Result()
        result.claim("a claim", 2, ">", 1)
        return result

    module.main = main
    monkeypatch.setitem(sys.modules, "examples._fake_seed", module)
    monkeypatch.setattr(gallery, "example_names", lambda: ["_fake_seed"])
    assert gallery.main(["--out", str(tmp_path), "--jobs", "1", "--seed", "3"]) == 0
    assert gallery.main(["--out", str(tmp_path), "--jobs", "1"]) == 0
    assert seen[0][-2:] == ["--seed", "3"] and "--seed" not in seen[1]
    assert json.loads((tmp_path / "results.json").read_text())["seed"] is None


def test_full_runs_recorded_with_record_appear_in_every_index(tmp_path, monkeypatch):
    record = tmp_path / "full_runs.json"
    monkeypatch.setattr(gallery, "FULL_RUNS", str(record))
    monkeypatch.setattr(gallery.load_full_runs, "__defaults__", (str(record),))
    monkeypatch.setattr(gallery.record_full_runs, "__defaults__", (str(record),))
    name = _fake_example(monkeypatch, "_fake", [(2, ">", 1), (2, "<", 1)])
    monkeypatch.setattr(gallery, "example_names", lambda: [name])
    assert gallery.main(["--out", str(tmp_path / "quick"), "--jobs", "1"]) == 1
    assert not record.exists()                      # a quick run records nothing
    assert gallery.main(["--out", str(tmp_path / "full"), "--jobs", "1", "--full",
                         "--record"]) == 1
    runs = json.loads(record.read_text(encoding="utf-8"))
    assert [r["name"] for r in runs] == ["_fake"]
    assert [c["passed"] for c in runs[0]["claims"]] == [True, False]
    assert gallery.main(["--out", str(tmp_path / "quick"), "--jobs", "1"]) == 1
    index = (tmp_path / "quick" / "index.md").read_text(encoding="utf-8")
    section = index[index.index("## `--full` runs on record"):]
    assert "| _fake |" in section and "| 1/2 |" in section
    assert "✓ _fake claim: 2 > 1<br>✗ _fake claim: 2 < 1" in section


def test_record_needs_full(capsys):
    with pytest.raises(SystemExit):
        gallery.main(["--record"])
    assert "--record keeps --full runs only" in capsys.readouterr().err
