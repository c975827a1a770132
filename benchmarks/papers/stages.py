"""Resumable stages of a row: each finished stage is recorded, and a trained model saved.

A row is a list of stages ("pretrain layer 1", "fine-tune", "AIS", ...). ``Stages``
keeps, per row and scale, a folder ``<results>/stages/<scale>/row-<n>/`` holding

* ``manifest.json``: for each finished stage, its result (JSON), its seconds and, for
  a model, the weights file's name and SHA-256;
* ``<stage>.npz``: the model's weights, written by :func:`minidl.io.save` (atomic).

With ``resume=True`` a finished stage is not run again: its result comes from the
manifest and its weights are loaded into a freshly built model after the checksum is
verified (a file that fails the check is trained again, with a warning). Without
``resume`` every stage runs and overwrites what was there.
"""
import json
import pathlib
import time
import warnings

from benchmarks.papers import common


class Stages:
    def __init__(self, folder, *, resume=False, log=print):
        self.folder = pathlib.Path(folder)
        self.resume, self.log = resume, log
        self.manifest_path = self.folder / "manifest.json"
        self.manifest = {}
        if resume and self.manifest_path.exists():
            self.manifest = json.loads(self.manifest_path.read_text())
        self.ran, self.reused = [], []

    def _save_manifest(self):
        common.write_json(self.manifest_path, self.manifest)

    def value(self, name, compute):
        """The result of stage ``name``: ``compute()`` (JSON-able), or the recorded one."""
        if self.resume and name in self.manifest:
            self.reused.append(name)
            self.log(f"  stage {name}: reused (finished earlier)")
            return self.manifest[name]["result"]
        start = time.perf_counter()
        result = compute()
        self._finish(name, result, time.perf_counter() - start)
        return result

    def model(self, name, model, train):
        """Stage ``name`` trains ``model`` in place (``train(model) -> JSON-able info``).

        Returns (model, info). On resume the weights are loaded instead of trained.
        """
        from minidl import io
        path = self.folder / f"{name}.npz"
        entry = self.manifest.get(name) if self.resume else None
        if entry is not None:
            if path.exists() and common.sha256(path) == entry.get("sha256"):
                io.load_weights(model, str(path))
                self.reused.append(name)
                self.log(f"  stage {name}: weights reused from {path} (checksum ok)")
                return model, entry["result"]
            warnings.warn(f"stage {name}: {path} is missing or fails its SHA-256 check; "
                          f"training it again")
        start = time.perf_counter()
        info = train(model)
        seconds = time.perf_counter() - start
        self.folder.mkdir(parents=True, exist_ok=True)
        io.save(model, str(path))
        self._finish(name, info, seconds, sha256=common.sha256(path), file=path.name)
        return model, info

    def _finish(self, name, result, seconds, **extra):
        self.manifest[name] = {"result": result, "seconds": seconds, **extra}
        self.ran.append(name)
        self._save_manifest()
        self.log(f"  stage {name}: done in {seconds:.1f} s")

    def _used(self):
        """The stages this run went through (ran or reused), in the manifest's order; a
        stage the row no longer has (renamed, recipe changed) stays on disk, uncounted."""
        used = set(self.ran) | set(self.reused)
        return {name: e for name, e in self.manifest.items() if name in used}

    def seconds(self):
        """Total seconds of this run's stages as they were measured (reused ones included)."""
        return sum(entry["seconds"] for entry in self._used().values())

    def summary(self):
        return {name: {"seconds": e["seconds"], "reused": name in self.reused}
                for name, e in self._used().items()}
