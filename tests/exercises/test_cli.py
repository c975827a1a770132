"""``python -m exercises``: start never overwrites, check grades the student's file from
where it lives and exits 0 only when every check passes, errors are words, not tracebacks."""
import os
import pathlib
import subprocess
import sys
import time

import pytest

import exercises
from exercises.__main__ import main

pytestmark = pytest.mark.numpy_only        # drives files and subprocesses, NumPy is enough

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOOD_DENSE = {
    'raise NotImplementedError("exercise: return y = x W + b, shape (B, n_out)")':
        "return x @ self.W.data + self.b.data",
}
BACKWARD_MARK = 'raise NotImplementedError("exercise: add xᵀ dy into self.W.grad'
GOOD_BACKWARD = ("self.W.grad += self.x.T @ dy\n        self.b.grad += dy.sum(axis=0)\n"
                 "        return dy @ self.W.data.T\n")


def write_dense(folder, backward=GOOD_BACKWARD):
    """Start "dense" in ``folder`` and fill it in like a student (``backward``: its body)."""
    path, _ = exercises.start("dense", folder)
    text = path.read_text(encoding="utf-8")
    for old, new in GOOD_DENSE.items():
        text = text.replace(old, new)
    head, _, _ = text.partition(BACKWARD_MARK)
    path.write_text(head + backward, encoding="utf-8")
    return path


def run_cli(*args, folder):
    env = {**os.environ, "MINIDL_EXERCISES": str(folder), "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "exercises", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_start_writes_the_skeleton_and_never_overwrites(tmp_path, capsys):
    assert main(["--dir", str(tmp_path), "start", "dense"]) == 0
    path = tmp_path / "dense.py"
    assert path.read_text(encoding="utf-8") == exercises.skeleton_text("dense")
    path.write_text("# my work\n", encoding="utf-8")
    assert main(["--dir", str(tmp_path), "start", "dense"]) == 0
    assert "already exists: left as it is" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert exercises.start("dense", tmp_path) == (path, False)
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert [p.name for p in tmp_path.iterdir()] == ["dense.py"]      # no temporary left


def test_check_of_an_untouched_skeleton_says_not_started_and_exits_1(tmp_path):
    assert run_cli("start", "dense", folder=tmp_path).returncode == 0
    done = run_cli("check", "dense", folder=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "dense: NOT STARTED" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_check_grades_the_students_file_and_exits_0_when_all_pass(tmp_path):
    write_dense(tmp_path)
    done = run_cli("check", "dense", folder=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dense: DONE (7 of 7 checks pass)" in done.stdout
    assert "FAIL" not in done.stdout


def test_a_wrong_file_fails_with_the_mistake_and_its_line(tmp_path, capsys):
    path = write_dense(tmp_path, backward=GOOD_BACKWARD.replace("dy.sum(axis=0)", "dy"))
    assert main(["--dir", str(tmp_path), "check", "dense"]) == 1
    out = capsys.readouterr().out
    line = path.read_text(encoding="utf-8").splitlines().index(
        "        self.b.grad += dy") + 1
    assert f"your file, line {line}: self.b.grad += dy" in out
    assert "db is not summed over the batch" in out and "Traceback" not in out


def test_a_syntax_error_is_reported_with_its_line(tmp_path, capsys):
    path = write_dense(tmp_path, backward="        return dy @ (self.W.data.T\n")
    assert main(["--dir", str(tmp_path), "check", "dense"]) == 1
    out = capsys.readouterr().out
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert f"syntax error in {path.resolve()}, line {n_lines}" in out
    assert "dense: ERROR" in out and "Traceback" not in out


def test_an_error_at_import_and_a_missing_name_are_words(tmp_path, capsys):
    (tmp_path / "dense.py").write_text("import math\nx = math.nope\n", encoding="utf-8")
    assert main(["--dir", str(tmp_path), "check", "dense"]) == 1
    out = capsys.readouterr().out
    assert "raised AttributeError" in out and "line 2: x = math.nope" in out
    (tmp_path / "dense.py").write_text("class Dens:\n    pass\n", encoding="utf-8")
    assert main(["--dir", str(tmp_path), "check", "dense"]) == 1
    assert "defines no 'Dense'" in capsys.readouterr().out


def test_list_shows_each_status(tmp_path, capsys):
    write_dense(tmp_path)
    exercises.start("tied_dense", tmp_path)
    path = write_dense(tmp_path / "wrong", backward=GOOD_BACKWARD.replace("+=", "="))
    (tmp_path / "activations.py").write_text(path.read_text(encoding="utf-8"))  # no Sigmoid
    assert main(["--dir", str(tmp_path), "list"]) == 0
    rows = {line.split()[1]: line.split()[2] for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["dense"] == "done" and rows["tied_dense"] == "not"        # "not started"
    assert rows["activations"] == "failing" and rows["cd_k"] == "not"
    assert len(rows) == len(exercises.EXERCISES) == 16


def test_check_all_on_the_solutions_passes_in_under_60_seconds(tmp_path):
    start = time.perf_counter()
    done = run_cli("check", "--all", "--reference", folder=tmp_path)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stdout + done.stderr
    assert "16 of 16 done" in done.stdout
    assert seconds < 60, f"check --all on the solutions took {seconds:.1f} s"


def test_check_all_on_an_empty_folder_is_a_table_of_not_started(tmp_path):
    done = run_cli("check", "--all", folder=tmp_path)
    assert done.returncode == 1
    assert done.stdout.count("not started") == 16 and "0 of 16 done" in done.stdout


def test_the_readme_walkthrough_shows_the_real_output(tmp_path, capsys):
    """The README's two outputs of `check dense` are what check prints for its two attempts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    wrong = ("self.W.grad += self.x.T @ dy\n        self.b.grad = dy.mean(axis=0)\n"
             "        return dy @ self.W.data.T\n")
    for backward, status in ((wrong, 1), (GOOD_BACKWARD, 0)):
        write_dense(tmp_path, backward=backward)
        assert main(["--dir", str(tmp_path), "check", "dense"]) == status
        out = capsys.readouterr().out.strip()
        assert f"$ python -m exercises check dense\n{out}\n```" in readme, out
        (tmp_path / "dense.py").unlink()
    assert "        self.b.grad = dy.mean(axis=0)\n" in readme


def test_pip_install_does_not_install_the_exercises_package():
    """setup.cfg's package list leaves `exercises` out: it is run from the checkout."""
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    include = cfg["options.packages.find"]["include"].split()
    assert "minidl" in include and "rbm" in include
    assert not [name for name in include if name.split(".")[0] == "exercises"], include
