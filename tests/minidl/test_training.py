import os

import numpy
import pytest
from hypothesis import given, strategies as st

from minidl import Parameter, backend, io
from minidl.layers import Dense
from minidl.model import Model
from minidl.optimizers import SGD, Adam
from minidl.callbacks import LinearDecay
from minidl.training import Callback, EarlyStopping, History, ModelCheckpoint, fit

seeds = st.integers(0, 2**16)


class LinearRegression(Model):
    """y = x W + b with mean squared error; unsupervised batches regress on the row sum."""

    def __init__(self, n_in, seed=0):
        self.dense = Dense(n_in, 1, seed=seed)

    @staticmethod
    def _split(batch):
        if isinstance(batch, tuple):
            return batch
        return batch, batch.sum(axis=1, keepdims=True)

    def _loss(self, batch):
        x, t = self._split(batch)
        diff = self.dense.forward(x) - t
        return float((diff * diff).mean()), diff

    def train_step(self, batch):
        loss, diff = self._loss(batch)
        self.dense.backward(2.0 * diff / diff.size)
        self.apply_gradients()
        return {"loss": loss}

    def evaluate(self, batch):
        return {"loss": self._loss(batch)[0]}


class Recorder(Model):
    """Records the first column of every batch; its metric is that column's batch mean."""

    def __init__(self):
        self.w = Parameter(backend.xp.zeros(1, dtype=numpy.float32), name="w")
        self.seen = []

    def train_step(self, batch):
        self.seen.append(backend.to_host(batch[:, 0]).copy())
        self.w.data += 1
        return {"m": float(batch[:, 0].mean())}

    def evaluate(self, batch):
        return {"m": float(batch[:, 0].mean())}


class Scripted(Recorder):
    """Validation loss follows a script; the weight counts the epochs trained."""

    def __init__(self, script, n_batches):
        super().__init__()
        self.script, self.n_batches = script, n_batches

    def train_step(self, batch):
        self.w.data += 1.0 / self.n_batches  # w == epochs completed
        return {"loss": 1.0}

    def evaluate(self, batch):
        """The script's value after the epochs completed so far (a pure function of w)."""
        done = int(round(float(self.w.data[0])))
        return {"loss": self.script[min(max(done - 1, 0), len(self.script) - 1)]}


def data(seed, n=40, d=3):
    gen = numpy.random.default_rng(seed)
    X = gen.standard_normal((n, d)).astype(numpy.float32)
    return X, (X @ gen.standard_normal((d, 1))).astype(numpy.float32)


def weights(model):
    return [backend.to_host(p.data).copy() for p in model.parameters()]


@given(seed=seeds, batch_size=st.integers(1, 16))
def test_same_seed_gives_identical_weights(seed, batch_size):
    X, y = data(seed)
    runs = []
    for _ in range(2):
        model = LinearRegression(3)
        fit(model, X, y, epochs=2, batch_size=batch_size, optimizer=Adam(0.01), seed=seed,
            verbose=0)
        runs.append(weights(model))
    for a, b in zip(*runs):
        numpy.testing.assert_array_equal(a, b)


@given(seed=seeds)
def test_shuffling_differs_across_seeds_and_covers_every_sample(seed):
    X = numpy.arange(30, dtype=numpy.float32).reshape(-1, 1)
    orders = []
    for s in (seed, seed + 1):
        model = Recorder()
        fit(model, X, epochs=1, batch_size=7, seed=s, verbose=0)
        orders.append(numpy.concatenate(model.seen))
        assert sorted(orders[-1]) == list(range(30))
        assert [len(b) for b in model.seen] == [7, 7, 7, 7, 2]
    assert not numpy.array_equal(orders[0], orders[1])


def test_no_shuffle_keeps_the_order():
    model = Recorder()
    fit(model, numpy.arange(10, dtype=numpy.float32).reshape(-1, 1), epochs=1, batch_size=4,
        shuffle=False, verbose=0)
    numpy.testing.assert_array_equal(numpy.concatenate(model.seen), numpy.arange(10))


@given(seed=seeds, n=st.integers(5, 40), batch_size=st.integers(1, 12))
def test_epoch_metric_is_the_sample_weighted_mean(seed, n, batch_size):
    X = numpy.random.default_rng(seed).standard_normal((n, 2)).astype(numpy.float32)
    history = fit(Recorder(), X, epochs=2, batch_size=batch_size, seed=seed, verbose=0)
    assert isinstance(history, History) and history.epoch == [0, 1]
    assert history["m"] is history.history["m"] and "m" in history and "nope" not in history
    with pytest.raises(KeyError, match="recorded"):
        history["nope"]
    numpy.testing.assert_allclose(history.history["m"], [X[:, 0].mean()] * 2, rtol=1e-4,
                                  atol=1e-6)


@given(seed=seeds)
def test_validation_metrics_have_val_prefix_and_closed_form_value(seed):
    X, y = data(seed)
    Xv, yv = data(seed + 1, n=13)
    model = LinearRegression(3)
    history = fit(model, X, y, epochs=3, batch_size=8, optimizer=SGD(0.05),
                  validation_data=(Xv, yv), seed=seed, verbose=0)
    assert set(history.history) == {"loss", "val_loss"}
    assert all(len(v) == 3 for v in history.history.values())
    W, b = weights(model)
    expected = float((((Xv @ W + b) - yv) ** 2).mean())
    assert history.history["val_loss"][-1] == pytest.approx(expected, rel=1e-5)


def test_default_optimizer_and_given_optimizer_are_set_on_the_model():
    X, y = data(0)
    model = LinearRegression(3)
    fit(model, X, y, epochs=1, batch_size=8, verbose=0)
    assert isinstance(model.optimizer, Adam)
    opt = SGD(0.1)
    fit(model, X, y, epochs=1, batch_size=8, optimizer=opt, verbose=0)
    assert model.optimizer is opt


@pytest.mark.parametrize("patience", [0, 2])
def test_early_stopping_stops_and_restores_best_weights(patience):
    script = [5.0, 4.0, 3.0, 3.5, 3.2, 3.9, 3.0, 1.0, 0.5]  # best at epoch 2 (value 3.0)
    model = Scripted(script, n_batches=1)
    stopper = EarlyStopping(patience=patience)
    history = fit(model, numpy.zeros((4, 1), numpy.float32), epochs=20, batch_size=4,
                  validation_data=numpy.zeros((4, 1), numpy.float32), callbacks=[stopper],
                  verbose=0)
    assert len(history.epoch) == 3 + patience + 1  # 3 epochs to the best, then patience + 1
    assert stopper.stopped_epoch == 3 + patience and stopper.best_epoch == 2
    assert float(model.w.data[0]) == pytest.approx(3.0)  # weights after the best epoch


def test_early_stopping_min_delta_and_fallback_to_training_loss():
    model = Scripted([1.0], n_batches=1)
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    with pytest.warns(UserWarning, match="monitoring 'loss'"):
        history = fit(model, numpy.zeros((4, 1), numpy.float32), epochs=10, batch_size=4,
                      callbacks=[stopper], verbose=0)
    assert len(history.epoch) == 3  # constant loss never improves after epoch 0


def test_model_checkpoint_writes_the_best_loadable_file(tmp_path):
    path = str(tmp_path / "best.npz")
    model = Scripted([3.0, 1.0, 2.0], n_batches=1)
    checkpoint = ModelCheckpoint(path)
    fit(model, numpy.zeros((4, 1), numpy.float32), epochs=3, batch_size=4,
        validation_data=numpy.zeros((4, 1), numpy.float32), callbacks=[checkpoint], verbose=0)
    assert checkpoint.saved == [path, path]  # epochs 1 and 2 improved, epoch 3 did not
    fresh = Scripted([3.0, 1.0, 2.0], n_batches=1)
    io.load_weights(fresh, path)
    assert float(fresh.w.data[0]) == pytest.approx(2.0)


def test_early_stopping_restores_the_best_weights_when_training_runs_to_the_end():
    """No early stop (patience 10 > 4 epochs), yet the model ends with its best epoch's weights."""
    model = Scripted([3.0, 1.0, 2.0, 2.5], n_batches=1)      # best after epoch 2 (w = 2)
    stopper = EarlyStopping(patience=10)
    history = fit(model, numpy.zeros((4, 1), numpy.float32), epochs=4, batch_size=4,
                  validation_data=numpy.zeros((4, 1), numpy.float32), callbacks=[stopper],
                  verbose=0)
    assert len(history.epoch) == 4 and stopper.stopped_epoch is None
    assert stopper.best_epoch == 1
    assert float(model.w.data[0]) == pytest.approx(2.0)      # not 4.0, the last epoch's


def test_model_checkpoint_mode_max_keeps_the_highest_value(tmp_path):
    """mode="max" (an accuracy): epochs 1 and 3 raise the best (0.5, 0.9), epochs 2 and 4 do
    not (0.3 is lower, 0.7 below 0.9), so the file holds epoch 3's weights (w = 3)."""
    path = str(tmp_path / "best.npz")
    script = [0.5, 0.3, 0.9, 0.7]
    model = Scripted(script, n_batches=1)
    checkpoint = ModelCheckpoint(path, mode="max")
    fit(model, numpy.zeros((4, 1), numpy.float32), epochs=4, batch_size=4,
        validation_data=numpy.zeros((4, 1), numpy.float32), callbacks=[checkpoint], verbose=0)
    assert checkpoint.saved == [path, path] and checkpoint.best == 0.9
    fresh = Scripted(script, n_batches=1)
    io.load_weights(fresh, path)
    assert float(fresh.w.data[0]) == pytest.approx(3.0)


@pytest.mark.parametrize("where", ["X", "y"])
def test_nan_refused_before_any_weight_changes(where):
    X, y = data(1)
    (X if where == "X" else y)[[0, 3], 0] = [numpy.nan, numpy.inf]
    model = LinearRegression(3)
    before = weights(model)
    with pytest.raises(ValueError, match=rf"{where} contains 2 NaN or infinite"):
        fit(model, X, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(before, weights(model)):
        numpy.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, X, y, match", [
    (dict(epochs=0, batch_size=4), (8, 2), None, "epochs"),
    (dict(epochs=1, batch_size=0), (8, 2), None, "batch_size"),
    (dict(epochs=1, batch_size=4), (8, 2), (7, 1), "8 samples but y has 7"),
    (dict(epochs=1, batch_size=4), (8,), None, r"reshape\(-1, 1\)"),
])
def test_bad_arguments_refused(kwargs, X, y, match):
    X = numpy.zeros(X, numpy.float32)
    y = None if y is None else numpy.zeros(y, numpy.float32)
    with pytest.raises(ValueError, match=match):
        fit(Recorder(), X, y, verbose=0, **kwargs)


def test_verbose_zero_is_silent_and_verbose_two_prints_each_epoch(capsys):
    X, y = data(2)
    fit(LinearRegression(3), X, y, epochs=2, batch_size=8, verbose=0)
    assert capsys.readouterr() == ("", "")
    fit(LinearRegression(3), X, y, epochs=2, batch_size=8, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2  loss")


class UnitGradient(Recorder):
    """Every step has gradient 1 on w, so plain SGD moves w by exactly −lr per step."""

    def train_step(self, batch):
        self.w.grad += 1.0
        self.apply_gradients()
        return {"loss": 0.0}


@given(epochs=st.integers(1, 6), n=st.integers(1, 9), batch_size=st.integers(1, 4),
       lr=st.floats(0.01, 1.0))
def test_linear_decay_steps_with_lr_falling_to_zero_and_restores_it(epochs, n, batch_size,
                                                                     lr):
    """Epoch e's steps use lr·(1 − e/epochs): with gradient 1 and SGD, w ends at
    −lr·n_batches·Σ_e (1 − e/epochs), and the optimizer's lr is put back after training."""
    seen = []

    class Spy(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(self.model.optimizer.lr)

    model, optimizer = UnitGradient(), SGD(lr)
    fit(model, numpy.zeros((n, 1), numpy.float32), epochs=epochs, batch_size=batch_size,
        optimizer=optimizer, callbacks=[LinearDecay(epochs), Spy()], verbose=0)
    n_batches = -(-n // batch_size)
    rates = [lr * (1 - e / epochs) for e in range(epochs)]
    assert seen == pytest.approx([r for r in rates for _ in range(n_batches)])
    assert float(model.w.data[0]) == pytest.approx(-n_batches * sum(rates), rel=1e-5)
    assert optimizer.lr == lr


def test_linear_decay_refuses_a_bad_length():
    with pytest.raises(ValueError, match=r"LinearDecay: epochs=0"):
        LinearDecay(0)


def test_callback_hooks_run_in_order():
    events = []

    class Spy(Callback):
        def on_train_begin(self, logs=None):
            events.append("begin")

        def on_batch_end(self, batch, logs=None):
            events.append(f"batch{batch}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch{epoch}")

        def on_train_end(self, logs=None):
            events.append("end")

    spy = Spy()
    fit(Recorder(), numpy.zeros((5, 1), numpy.float32), epochs=2, batch_size=3,
        callbacks=[spy], verbose=0)
    assert events == ["begin", "batch0", "batch1", "epoch0", "batch0", "batch1", "epoch1", "end"]
    assert isinstance(spy.model, Recorder)


def test_verbose_one_shows_a_tqdm_bar_or_plain_lines_without_tqdm(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    X, y = data(3)
    fit(LinearRegression(3), X, y, epochs=2, batch_size=8, verbose=1)
    out, err = capsys.readouterr()
    assert "epoch 2/2" in err and "5/5" in err  # tqdm writes to stderr, 5 batches an epoch
    from minidl import callbacks
    monkeypatch.setattr(callbacks, "_find_tqdm", lambda: None)
    fit(LinearRegression(3), X, y, epochs=2, batch_size=8, verbose=1)
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2 and out.startswith("epoch 1/2  loss") and err == ""


@given(seed=seeds)
def test_model_weights_round_trip_and_mismatch_leaves_model_untouched(seed):
    model = LinearRegression(3, seed=seed)
    saved = model.get_weights()
    model.dense.W.data += 1.0
    assert saved[0] is not model.dense.W.data
    model.set_weights(saved)
    for a, b in zip(saved, model.parameters()):
        numpy.testing.assert_array_equal(backend.to_host(a), backend.to_host(b.data))
    before = weights(model)
    bad = [saved[0], backend.xp.zeros(2, dtype=numpy.float32)]
    with pytest.raises(ValueError, match=r"needs shape \(1,\)"):
        model.set_weights(bad)
    with pytest.raises(ValueError, match="got 1 arrays for 2 parameters"):
        model.set_weights(saved[:1])
    for a, b in zip(before, weights(model)):
        numpy.testing.assert_array_equal(a, b)


# --- divergence: stop at the first non-finite loss, keep the last finite weights -------------
class Diverging(Recorder):
    """w counts train steps; the metric turns NaN (or inf) at step ``bad`` (0-based)."""

    def __init__(self, bad, value=numpy.nan):
        super().__init__()
        self.bad, self.value, self.steps = bad, value, 0

    def train_step(self, batch):
        self.w.data += 1
        self.steps += 1
        return {"loss": self.value if self.steps - 1 == self.bad else 1.0}


@pytest.mark.parametrize("value", [numpy.nan, numpy.inf, -numpy.inf])
@given(bad=st.integers(0, 11), batch_size=st.integers(1, 5))
def test_first_non_finite_loss_stops_and_restores_the_epoch_start_weights(value, bad,
                                                                          batch_size):
    from minidl.training import NonFiniteLossError
    n = 10
    per_epoch = -(-n // batch_size)
    model = Diverging(bad, value)
    model.optimizer = Adam()
    model.optimizer.state["sentinel"] = {}
    ends = []

    class EpochEnds(Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(epoch)

    epoch, batch = divmod(bad, per_epoch)
    if epoch >= 3:                                  # no divergence within 3 epochs
        fit(model, numpy.zeros((n, 1), numpy.float32), epochs=3, batch_size=batch_size,
            verbose=0)
        return
    with pytest.raises(NonFiniteLossError,
                       match=rf"epoch {epoch + 1}, batch {batch + 1}/{per_epoch} \(loss="
                             rf".*restored.*learning rate.*clip_norm"):
        fit(model, numpy.zeros((n, 1), numpy.float32), epochs=3, batch_size=batch_size,
            callbacks=[EpochEnds()], verbose=0)
    assert model.steps == bad + 1                   # stopped at once
    assert float(model.w.data[0]) == epoch * per_epoch   # the weights of the epoch's start
    assert ends == list(range(epoch))               # no epoch end for the broken epoch
    assert model.optimizer.state == {}              # poisoned moments cleared


def test_real_divergence_is_caught_with_finite_weights_left():
    from minidl.training import NonFiniteLossError
    X, y = data(0, n=64)
    X *= 1e3
    model = LinearRegression(3)
    with _no_warning_check():
        with pytest.raises(NonFiniteLossError, match="diverged at epoch"):
            fit(model, X, y, epochs=50, batch_size=8, optimizer=SGD(10.0), verbose=0)
    assert all(numpy.isfinite(w).all() for w in weights(model))


class _no_warning_check:
    """NumPy may warn about the overflow on the way; this test is about the error."""

    def __enter__(self):
        self._old = numpy.seterr(all="ignore")

    def __exit__(self, *exc):
        numpy.seterr(**self._old)


class NaNWeights(Recorder):
    """Finite metrics, but its weight turns NaN in epoch ``at`` (1-based)."""

    def __init__(self, at):
        super().__init__()
        self.at, self.epochs = at, 0

    def train_step(self, batch):
        self.epochs += 1
        self.w.data[...] = numpy.nan if self.epochs == self.at else self.epochs
        return {"loss": 1.0 / self.epochs}

    def evaluate(self, batch):
        return {"loss": 1.0}


@pytest.mark.parametrize("save_best_only", [False, True])
def test_checkpoint_never_writes_non_finite_weights(tmp_path, save_best_only):
    path = str(tmp_path / "ck.npz")
    model = NaNWeights(at=2)
    ck = ModelCheckpoint(path, monitor="loss", save_best_only=save_best_only)
    with pytest.warns(RuntimeWarning, match="after epoch 2 hold NaN or inf; not saved"):
        fit(model, numpy.zeros((1, 1), numpy.float32), epochs=2, batch_size=1,
            callbacks=[ck], verbose=0)
    assert ck.saved == [path]
    fresh = NaNWeights(at=2)
    io.load_weights(fresh, path)
    assert float(fresh.w.data[0]) == 1.0            # the good epoch-1 file was kept
    if save_best_only:
        assert ck.best == 1.0                       # the refused epoch is not the best


def test_metric_names_are_known_before_training_without_moving_weights():
    from minidl.training import metric_names
    X, y = data(0)
    model = LinearRegression(3)
    before = weights(model)
    assert metric_names(model, X, y) == {"loss"}
    assert metric_names(model, X, y, validation=True) == {"loss", "val_loss"}
    for a, b in zip(before, weights(model)):
        numpy.testing.assert_array_equal(a, b)


def test_checkpoint_template_with_metrics_is_filled(tmp_path):
    X, y = data(0)
    ck = ModelCheckpoint(str(tmp_path / "ck-{epoch:02d}-{val_loss:.3f}.npz"),
                         save_best_only=False)
    fit(LinearRegression(3), X, y, epochs=2, batch_size=8, validation_data=(X, y),
        callbacks=[ck], verbose=0)
    names = sorted(os.path.basename(p) for p in ck.saved)
    assert [n[:6] for n in names] == ["ck-01-", "ck-02-"] and len(os.listdir(tmp_path)) == 2


def test_fit_puts_the_data_on_the_model_dtype_once():
    X, y = data(0)
    seen = []

    class Dtypes(LinearRegression):
        def train_step(self, batch):
            seen.append(batch[0].dtype)
            return super().train_step(batch)

    fit(Dtypes(3), X.astype(numpy.float64), y, epochs=1, batch_size=20, verbose=0)
    assert seen == [numpy.float32, numpy.float32]


def test_fit_scans_the_data_once_and_model_methods_scan_again_after(monkeypatch):
    from minidl import checks
    from minidl.classifier import Classifier
    from minidl.layers import Dense
    from minidl.training import NonFiniteLossError
    scans = []
    real = checks.finite_array
    monkeypatch.setattr(checks, "finite_array",
                        lambda owner, X, **kw: scans.append(owner) or real(owner, X, **kw))
    X, _ = data(0)
    y = (X[:, 0] > 0).astype(int)
    model = Classifier(Dense(3, 2, seed=0))
    model.fit(X, y, epochs=3, batch_size=8, validation_data=(X, y), verbose=0)
    assert scans.count("fit") == 4 and "Classifier" not in scans   # X, y, X_val, y_val once
    bad = X.copy()
    bad[0, 0] = numpy.nan
    with pytest.raises(ValueError, match="Classifier: X contains 1 NaN"):
        model.predict(bad)                       # outside fit the model checks again

    class Boom(Classifier):
        def train_step(self, batch):
            return {"loss": numpy.inf}
    boom = Boom(Dense(3, 2, seed=0))
    with pytest.raises(NonFiniteLossError):
        boom.fit(X, y, epochs=1, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="Boom: X contains 1 NaN"):
        boom.predict(bad)                        # reset even when fit raised


def test_callbacks_during_fit_see_a_model_that_checks_its_input():
    from minidl.classifier import Classifier
    from minidl.layers import Dense
    X, _ = data(0)
    y = (X[:, 0] > 0).astype(int)
    bad = X.copy()
    bad[1, 1] = numpy.inf
    errors = []

    class Probe(Callback):
        def on_epoch_end(self, epoch, logs=None):
            try:
                self.model.predict(bad)
            except ValueError as err:
                errors.append(str(err))

    Classifier(Dense(3, 2, seed=0)).fit(X, y, epochs=2, batch_size=8, callbacks=[Probe()],
                                         verbose=0)
    assert len(errors) == 2 and "X contains 1 NaN or infinite" in errors[0]
