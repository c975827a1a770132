"""The benchmark runner, driven with a fake bench module written to a temporary folder."""
import json
import os
import textwrap

import pytest

from benchmarks import _runner, _side

FAKE = '''
import os, time

BENCHMARKS = [dict(name="fake", description="a fake benchmark",
                   sides={"minidl": "bench_fake:fast", "torch": "bench_fake:slow",
                          "gone": "bench_fake:needs_missing_package"},
                   baseline="torch", target={target}),
              dict(name="broken", description="a side that crashes",
                   sides={{"minidl": "bench_fake:crash", "torch": "bench_fake:slow"}},
                   baseline="torch", target=None)]


def fast(quick):
    return {{"seconds": 1.0, "pid": os.getpid(), "quick": quick}}


def slow(quick):
    return {{"seconds": 4.0, "pid": os.getpid()}}


def needs_missing_package(quick):
    import package_that_is_not_installed  # noqa: F401


def crash(quick):
    raise RuntimeError("side exploded")


def sleepy(quick):
    time.sleep(30)
'''


@pytest.fixture
def fake_dir(tmp_path):
    def write(target=1.0):
        (tmp_path / "bench_fake.py").write_text(FAKE.replace("{target}", repr(target))
                                                .replace("{{", "{").replace("}}", "}"))
        return tmp_path
    return write


def run_main(folder, capsys, *extra):
    out = folder / "results.json"
    code = _runner.main(["--quick", "--from-dir", str(folder), "--out", str(out), *extra])
    return code, json.loads(out.read_text()), capsys.readouterr().out


@pytest.mark.parametrize("target, verdict", [(1.0, "pass"), (0.2, "FAIL")])
def test_runs_sides_in_subprocesses_and_reports_ratio(fake_dir, capsys, target, verdict):
    code, results, printed = run_main(fake_dir(target), capsys, "--only", "fake")
    assert code == 0
    [record] = results["benchmarks"]
    sides = record["sides"]
    assert sides["minidl"]["status"] == sides["torch"]["status"] == "ok"
    pids = {sides["minidl"]["pid"], sides["torch"]["pid"], os.getpid()}
    assert len(pids) == 3  # each side ran in its own fresh process
    assert sides["minidl"]["quick"] is True
    assert record["ratios"]["minidl"] == pytest.approx(0.25)
    assert record["passed"] is (verdict == "pass")
    assert sides["gone"]["status"] == "skipped"
    assert "package_that_is_not_installed" in sides["gone"]["reason"]
    row = next(line for line in printed.splitlines() if line.startswith("fake"))
    assert "0.25x vs torch" in row and verdict in row and "gone=skipped" in row
    assert results["meta"]["quick"] is True


def test_crashing_side_is_reported_and_exit_code_is_nonzero(fake_dir, capsys):
    code, results, printed = run_main(fake_dir(), capsys, "--only", "broken")
    assert code == 1
    side = results["benchmarks"][0]["sides"]["minidl"]
    assert side["status"] == "failed" and "side exploded" in side["reason"]
    assert results["benchmarks"][0]["ratios"] == {}
    assert "broken/minidl: failed" in printed


def test_repeat_takes_the_median_of_fresh_runs(fake_dir, capsys):
    code, results, _ = run_main(fake_dir(), capsys, "--only", "fake", "--repeat", "2")
    torch_side = results["benchmarks"][0]["sides"]["torch"]
    assert torch_side["repeats"] == 2 and torch_side["all_seconds"] == [4.0, 4.0]


def test_timeout_is_reported(fake_dir):
    folder = fake_dir()
    env = _runner._side_env(folder, None)
    result = _runner.run_side("bench_fake:sleepy", quick=True, timeout=1, env=env)
    assert result["status"] == "timeout"


def test_unknown_benchmark_name_is_an_error(fake_dir, capsys):
    with pytest.raises(SystemExit, match="unknown benchmark.*nope"):
        _runner.main(["--from-dir", str(fake_dir()), "--only", "nope"])


def test_side_target_must_name_module_and_function():
    with pytest.raises(ValueError, match="module:function"):
        _side.resolve("no_colon_here")


def test_side_rejects_a_result_without_seconds(tmp_path, monkeypatch):
    (tmp_path / "bench_noseconds.py").write_text("def f(quick):\n    return {'loss': 1.0}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match="'seconds'"):
        _side.run("bench_noseconds:f", quick=True)


def test_real_benchmarks_are_discoverable_and_well_formed():
    benches = _runner.discover()
    names = {b["name"] for b in benches}
    assert {"ae_784_32", "ae_deep_sigmoid"} <= names
    for b in benches:
        assert (b["baseline"] is None or b["baseline"] in b["sides"]) and b.get("description")
        for target in b["sides"].values():
            module, _, func = target.partition(":")
            assert callable(getattr(__import__(module, fromlist=[func]), func))


def test_bad_benchmark_definition_is_refused(tmp_path):
    (tmp_path / "bench_bad.py").write_text(textwrap.dedent('''
        BENCHMARKS = [dict(name="x", sides={"minidl": "m:f"}, baseline="torch")]
    '''))
    with pytest.raises(ValueError, match="baseline 'torch' is not one of its sides"):
        _runner.discover(tmp_path, package="")
