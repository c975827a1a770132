"""The graders: the library's solutions pass, untouched skeletons are "not started", and
planted wrong solutions (three or more per exercise) fail with their mistake named.

Runs in-process on every backend (NumPy, and CuPy or its strict stand-in): the grader
takes its arrays from minidl.backend.
"""
import inspect
import math
import types

import pytest

from minidl import backend
from minidl.layers import LSTM, AvgPool2D, Conv2D, Dense, MaxPool2D, ReLU, Sigmoid, Tanh, TiedDense
from minidl.layers.activations import sigmoid
from minidl.losses import BCEWithLogits, SoftmaxCrossEntropy
from minidl.optimizers import Adam

import exercises
from autoencoders.penalties import ContractivePenalty, KLSparsity, kl_bernoulli
from autoencoders.vae import VAE
from exercises import solutions
from exercises.solutions import SOLUTIONS
from rbm.ais import _Annealing, _bernoulli


def test_the_planted_lstm_without_mistakes_passes():
    # the planted LSTM mistakes below differ from this student's code by one flag each
    assert exercises.grade("lstm", LstmStudent).status == "done"


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_the_library_solution_passes_every_check(name):
    report = exercises.grade(name, SOLUTIONS[name])
    assert report.status == "done", report.text()
    assert report.outcomes and not report.mistakes
    assert "FAIL" not in report.text()


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_an_untouched_skeleton_is_not_started(name, tmp_path):
    path, new = exercises.start(name, tmp_path)
    assert new
    report = exercises.grade_file(name, path)
    assert report.status == "not started", report.text()
    assert not report.passed and "NOT STARTED" in report.text()
    assert "Traceback" not in report.text()


@pytest.mark.parametrize("name", list(exercises.EXERCISES))
def test_a_skeleton_carries_the_library_docstring(name):
    text = exercises.skeleton_text(name)
    assert exercises.DOC_MARK not in text
    marks = [line.strip()[len(exercises.DOC_MARK):].strip('" ')
             for line in exercises.EXERCISES[name].skeleton.read_text().splitlines()
             if line.strip().startswith(exercises.DOC_MARK)]
    assert marks
    for mark in marks:
        module, _, attr = mark.partition(":")
        obj = __import__(module, fromlist=["_"])
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        first_equation = [ln for ln in inspect.getdoc(obj).splitlines() if "=" in ln][0]
        assert first_equation.strip() in text


def test_a_half_written_exercise_is_failing_not_started():
    class ForwardOnly(Dense):
        def backward(self, dy):
            raise NotImplementedError("exercise: the backward pass")
    report = exercises.grade("dense", ForwardOnly)
    assert report.status == "failing"
    assert [o.quantity for o in report.outcomes if o.passed] == ["y"]
    assert "not written yet: the backward pass" in report.text()


# --- planted wrong solutions: (exercise, the wrong object, words the report must name) -------
def _xp(a):
    return backend.get_array_module(a)


class DenseTransposedAssigned(Dense):
    def backward(self, dy):
        self.W.grad = dy.T @ self.x
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.data.T


class DenseTransposedAdded(Dense):
    def backward(self, dy):
        self.W.grad += dy.T @ self.x
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.data.T


class DenseUnsummed(Dense):
    def backward(self, dy):
        self.W.grad += self.x.T @ dy
        self.b.grad += dy
        return dy @ self.W.data.T


class DenseAssigned(Dense):
    def backward(self, dy):
        self.W.grad = self.x.T @ dy
        self.b.grad = dy.sum(axis=0)
        return dy @ self.W.data.T


class DenseMeanBias(Dense):
    def backward(self, dy):
        self.W.grad += self.x.T @ dy
        self.b.grad += dy.mean(axis=0)
        return dy @ self.W.data.T


class DenseNoBias(Dense):
    def forward(self, x, training=False):
        super().forward(x)
        return x @ self.W.data


class SigmoidNoOneMinus(Sigmoid):
    def backward(self, dy):
        return dy * self.y


class SigmoidNoDerivative(Sigmoid):
    def backward(self, dy):
        return dy.copy()


class TanhNotSquared(Tanh):
    def backward(self, dy):
        return dy * (1 - self.y)


class ReluUnmasked(ReLU):
    def backward(self, dy):
        return dy.copy()


def acts(**kw):
    return types.SimpleNamespace(**{"Sigmoid": Sigmoid, "Tanh": Tanh, "ReLU": ReLU, **kw})


class BceUnstable(BCEWithLogits):
    def forward(self, pred, target):
        xp = _xp(pred)
        s = 1 / (1 + xp.exp(-pred))
        self.cache = (s, target)
        return float((-target * xp.log(s) - (1 - target) * xp.log(1 - s)).mean())

    def backward(self):
        s, t = self.cache
        return (s - t) / s.size


class BceSummed(BCEWithLogits):
    def forward(self, pred, target):
        return super().forward(pred, target) * pred.size

    def backward(self):
        return super().backward() * self.cache[0].size


class BceGradSign(BCEWithLogits):
    def backward(self):
        return -super().backward()


class BcePerBatch(BCEWithLogits):
    def forward(self, pred, target):
        self.n_over_b = pred.shape[1]
        return super().forward(pred, target) * self.n_over_b


class CeNoMax(SoftmaxCrossEntropy):
    def forward(self, pred, target):
        xp = _xp(pred)
        e = xp.exp(pred)
        p = e / e.sum(axis=1, keepdims=True)
        self.cache = (p, target)
        return float(-xp.log(p[xp.arange(len(target)), target]).mean())

    def backward(self):
        p, t = self.cache
        d = p.copy()
        d[_xp(p).arange(len(t)), t] -= 1
        return d / len(t)


class CeNotMean(SoftmaxCrossEntropy):
    def forward(self, pred, target):
        return super().forward(pred, target) * pred.shape[0]

    def backward(self):
        return super().backward() * self.cache[0].shape[0]


class CeNoOnehot(SoftmaxCrossEntropy):
    def backward(self):
        log_p = self.cache[0]
        return _xp(log_p).exp(log_p) / log_p.shape[0]


class AdamNoBiasCorrection(Adam):
    def update(self, p, g, state):
        xp, m, v = _xp(p.data), state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        p.data -= self.lr * m / (xp.sqrt(v) + self.eps)


class AdamAscends(Adam):
    def update(self, p, g, state):
        before = p.data.copy()
        super().update(p, g, state)
        p.data[...] = 2 * before - p.data


class AdamNoT(Adam):
    def update(self, p, g, state):
        xp, m, v = _xp(p.data), state["m"], state["v"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        p.data -= self.lr * (m / (1 - self.beta1)) / (xp.sqrt(v / (1 - self.beta2)) + self.eps)


class TiedAssigned(TiedDense):
    def backward(self, dy):
        self.W.grad = dy.T @ self.x
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.data


class TiedTransposed(TiedDense):
    def backward(self, dy):
        self.W.grad += self.x.T @ dy
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.data


class TiedMeanBias(TiedDense):
    def backward(self, dy):
        self.W.grad += dy.T @ self.x
        self.b.grad += dy.mean(axis=0)
        return dy @ self.W.data


class KlNoOneOverB(KLSparsity):
    def value_and_grad(self, h):
        value, dh = super().value_and_grad(h)
        return value, dh * h.shape[0]


class KlPerSample(KLSparsity):
    def value_and_grad(self, h):
        xp = _xp(h)
        hc = xp.clip(h, 1e-7, 1 - 1e-7)
        value = self.beta * float(kl_bernoulli(self.rho, hc).sum()) / h.shape[0]
        dh = self.beta * (-self.rho / hc + (1 - self.rho) / (1 - hc)) / h.shape[0]
        return value, dh


class KlNoBeta(KLSparsity):
    def value_and_grad(self, h):
        value, dh = super().value_and_grad(h)
        return value / self.beta, dh / self.beta


class TopKSmallest(solutions.TopK):
    def forward(self, h, training=False):
        return super().forward(-h) * -1.0


class TopKGradEverywhere(solutions.TopK):
    def backward(self, dz):
        return dz.copy()


class TopKPlusOne(solutions.TopK):
    def __init__(self, k):
        super().__init__(k + 1)


class ContractiveNoTwo(ContractivePenalty):
    def parameter_grads(self, h):
        return [(p, g / 2) for p, g in super().parameter_grads(h)]


class ContractiveNotMean(ContractivePenalty):
    def value_and_grad(self, h):
        value, dh = super().value_and_grad(h)
        return float(value) * h.shape[0], dh


class ContractiveSign(ContractivePenalty):
    def value_and_grad(self, h):
        value, dh = super().value_and_grad(h)
        return value, -dh


class ConvFlipped(Conv2D):
    def forward(self, x, training=False):
        W = self.W.data
        self.W.data = W[:, :, ::-1, ::-1].copy()
        try:
            return super().forward(x)
        finally:
            self.W.data = W


class ConvDwMean(Conv2D):
    def backward(self, dy):
        before = self.W.grad.copy()
        dx = super().backward(dy)
        self.W.grad[...] = before + (self.W.grad - before) / dy.shape[0]
        return dx


class ConvDbMean(Conv2D):
    def backward(self, dy):
        before = self.b.grad.copy()
        dx = super().backward(dy)
        self.b.grad[...] = before + dy.mean(axis=(0, 2, 3))
        return dx


class ConvDxSign(Conv2D):
    def backward(self, dy):
        return -super().backward(dy)


class LstmStudent(LSTM):
    """A student's LSTM step, with one planted mistake chosen by the flags."""

    order, recurrent, forget_back = (0, 1, 2, 3), True, True

    def _step_forward(self, t, zx_t):
        H = self.n_hidden
        z = zx_t + self.h[t] @ self.U.data if self.recurrent else zx_t.copy()
        blocks = [z[:, k * H:(k + 1) * H] for k in self.order]
        i, f, o = sigmoid(blocks[0]), sigmoid(blocks[1]), sigmoid(blocks[3])
        g = _xp(z).tanh(blocks[2])
        self.gates[t] = _xp(z).concatenate([i, f, g, o], axis=1)
        self.c[t + 1] = f * self.c[t] + i * g
        self.tanh_c[t] = _xp(z).tanh(self.c[t + 1])
        self.h[t + 1] = o * self.tanh_c[t]

    def _step_backward(self, t, dh, dc, dz_t, slope_t):
        H = self.n_hidden
        i, f, g = (self.gates[t][:, k * H:(k + 1) * H] for k in range(3))
        dz_t[...] = _xp(dh).concatenate([dc * g, dc * self.c[t], dc * i, dh * self.tanh_c[t]],
                                        axis=1) * slope_t
        return dc * f if self.forget_back else dc.copy()


class LstmGatesSwapped(LstmStudent):
    order = (0, 1, 3, 2)


class LstmNoRecurrence(LstmStudent):
    recurrent = False


class LstmNoForgetBack(LstmStudent):
    forget_back = False


class PoolCopies(MaxPool2D):
    def backward(self, dy):
        avg = AvgPool2D(self.size)
        avg.forward(backend.xp.zeros(self.in_shape, dtype=dy.dtype))
        return 4 * avg.backward(dy)


class PoolSign(MaxPool2D):
    def backward(self, dy):
        return -super().backward(dy)


class VaeStudent(VAE):
    """A student's backward, with the KL's gradient written three ways (``kl_scale``, ...)."""

    kl_scale, half, kl_sign = None, 0.5, 1.0

    def backward(self):
        mu, std, eps = self._cache
        dz = self.decoder.backward(self.loss.backward())
        B = mu.shape[0]
        scale = self.kl_sign * self.beta / (B if self.kl_scale is None else self.kl_scale)
        dmu = dz + scale * mu
        dlogvar = dz * eps * (self.half * std) + 0.5 * scale * (std * std - 1.0)
        return self.encoder.backward(_xp(dz).concatenate([dmu, dlogvar], axis=1))


class VaeKlNotMean(VaeStudent):
    kl_scale = 1.0


class VaeNoHalf(VaeStudent):
    half = 1.0


class VaeKlSign(VaeStudent):
    kl_sign = -1.0


class VaeKlSummed(VAE):
    def objective(self, x, training=False, target=None):
        out = super().objective(x, training, target)
        B = x.shape[0]
        return {**out, "kl": out["kl"] * B, "loss": out["recon"] + out["kl"] * B}


def ais(*, z0=True, hidden_term=True, log=True):
    """A student's AIS, with one planted mistake chosen by the flags."""
    def log_partition(rbm, n_chains=500, n_betas=200, seed=0):
        path = _Annealing(rbm, None, n_betas, seed)
        xp, betas = path.xp, path.betas
        p0 = xp.broadcast_to(sigmoid(path.b_a), (n_chains, rbm.n_visible))
        v = _bernoulli(path.gen, p0.copy())
        log_w = xp.zeros(n_chains, dtype=backend.float64)
        for k in range(1, len(betas)):
            a = path.hidden_input(v)
            log_w += path.log_ratio(v, a, betas[k], betas[k - 1])
            if k < len(betas) - 1:
                v = path.sweep(a, betas[k])
        top = float(log_w.max())
        log_mean = top + math.log(float(xp.exp(log_w - top).mean()))
        log_z0 = float(xp.logaddexp(0.0, path.b_a).sum())
        log_z0 += rbm.n_hidden * math.log(2.0) if hidden_term else 0.0
        out = (log_z0 if z0 else 0.0) + log_mean
        return out if log else math.exp(out)
    return log_partition


def test_the_planted_ais_without_mistakes_passes():
    assert exercises.grade("ais", ais()).status == "done"


def free_energy_ns(F=None, grads=None):
    return types.SimpleNamespace(free_energy=F or solutions.free_energy,
                                 free_energy_grads=grads or solutions.free_energy_grads)


def _fe_no_visible(rbm, v):
    return solutions.free_energy(rbm, v) + v @ rbm.vbias.data


def _fe_grads_summed(rbm, v):
    return tuple(g * v.shape[0] for g in solutions.free_energy_grads(rbm, v))


def _fe_grads_transposed(rbm, v):
    dW, db, dc = solutions.free_energy_grads(rbm, v)
    return dW.T.copy(), db, dc


def cd(*, steps=lambda k: k, sign=1.0, scale=1.0, moves=True):
    """A student's CD-k, with one planted mistake."""
    def cd_k_gradient(rbm, v, k):
        B = v.shape[0]
        ph_pos = rbm.mean_h(v)
        v_neg, ph_neg = v, ph_pos
        h = rbm.sample_h(v)
        for _ in range(steps(k) if moves else 0):
            v_neg = rbm.sample_v(h)
            ph_neg = rbm.mean_h(v_neg)
            h = rbm.sample_h(v_neg)
        s = sign / (B if scale == 1.0 else 1.0)
        return (s * (v_neg.T @ ph_neg - v.T @ ph_pos), s * (v_neg - v).sum(axis=0),
                s * (ph_neg - ph_pos).sum(axis=0))
    return cd_k_gradient


PLANTED = [
    ("dense", DenseTransposedAssigned, "dW has the right numbers transposed: use xᵀ dy"),
    ("dense", DenseTransposedAdded, "dW has its shape transposed"),
    ("dense", DenseUnsummed, "db is not summed over the batch"),
    ("dense", DenseAssigned, "the gradient was assigned, not added"),
    ("dense", DenseMeanBias, "db is averaged over the batch"),
    ("dense", DenseNoBias, "y is missing the bias"),
    ("activations", acts(Sigmoid=SigmoidNoOneMinus), "missing the factor (1 − y)"),
    ("activations", acts(Sigmoid=SigmoidNoDerivative), "missing the local derivative"),
    ("activations", acts(Tanh=TanhNotSquared), "square y"),
    ("activations", acts(ReLU=ReluUnmasked), "dx passes dy everywhere"),
    ("bce_logits", BceUnstable, "log(sigmoid(z)) overflows at z = -80"),
    ("bce_logits", BceSummed, "the loss is not divided by n"),
    ("bce_logits", BceGradSign, "dz has the wrong sign"),
    ("bce_logits", BcePerBatch, "divided by the batch size, not by the number of elements"),
    ("softmax_ce", CeNoMax, "exp overflowed"),
    ("softmax_ce", CeNotMean, "the loss is not divided by the batch size"),
    ("softmax_ce", CeNoOnehot, "the one-hot target was not subtracted"),
    ("adam", AdamNoBiasCorrection, "not bias-corrected"),
    ("adam", AdamAscends, "the update has the wrong sign"),
    ("adam", AdamNoT, "t was not incremented"),
    ("tied_dense", TiedAssigned, "the gradient was assigned, not added"),
    ("tied_dense", TiedTransposed, "dW has its shape transposed"),
    ("tied_dense", TiedMeanBias, "db is averaged over the batch"),
    ("kl_sparsity", KlNoOneOverB, "missing the 1/B of the batch mean"),
    ("kl_sparsity", KlPerSample, "the KL was taken per sample"),
    ("kl_sparsity", KlNoBeta, "β is missing"),
    ("ksparse", TopKSmallest, "kept the k smallest units"),
    ("ksparse", TopKGradEverywhere, "dh passes dz everywhere"),
    ("ksparse", TopKPlusOne, "kept k + 1 units"),
    ("contractive", ContractiveNoTwo, "dΩ/dW is missing the factor 2"),
    ("contractive", ContractiveNotMean, "Ω is not divided by the batch size"),
    ("contractive", ContractiveSign, "dΩ/dh has the wrong sign"),
    ("conv2d", ConvFlipped, "the kernel was flipped"),
    ("conv2d", ConvDwMean, "dW is averaged over the batch"),
    ("conv2d", ConvDbMean, "db is averaged over the batch and the pixels"),
    ("conv2d", ConvDxSign, "dx has the wrong sign"),
    ("lstm", LstmGatesSwapped, "the gates are in the wrong order"),
    ("lstm", LstmNoRecurrence, "one step is right but the sequence is not"),
    ("lstm", LstmNoForgetBack, "one step is right but the sequence is not"),
    ("maxpool", AvgPool2D, "y is the window mean"),
    ("maxpool", AvgPool2D, "dy was spread evenly over the window"),
    ("maxpool", PoolCopies, "dy was copied to every cell"),
    ("maxpool", PoolSign, "dx has the wrong sign"),
    ("vae", VaeKlNotMean, "the KL gradient is not divided by the batch size"),
    ("vae", VaeNoHalf, "d log σ² lost the ½ of σ"),
    ("vae", VaeKlSign, "the KL gradient has the wrong sign"),
    ("vae", VaeKlSummed, "the KL is summed over the batch, not averaged"),
    ("rbm_free_energy", free_energy_ns(F=lambda r, v: -solutions.free_energy(r, v)),
     "F has the wrong sign"),
    ("rbm_free_energy", free_energy_ns(F=_fe_no_visible), "F is missing the visible term"),
    ("rbm_free_energy", free_energy_ns(grads=_fe_grads_summed), "summed over the batch"),
    ("rbm_free_energy", free_energy_ns(grads=_fe_grads_transposed),
     "dW has the right numbers transposed"),
    ("cd_k", cd(steps=lambda k: 1), "CD-k ran one Gibbs step whatever k"),
    ("cd_k", cd(steps=lambda k: k + 1), "Gibbs steps (off by one)"),
    ("cd_k", cd(sign=-1.0), "has the wrong sign"),
    ("cd_k", cd(scale=None), "is not divided by the batch size"),
    ("cd_k", cd(moves=False), "the Gibbs chain never ran"),
    ("ais", ais(z0=False), "log Z_0 of the base-rate model was not added"),
    ("ais", ais(hidden_term=False), "missing the hidden units' H log 2"),
    ("ais", ais(log=False), "this is Ẑ, not log Ẑ"),
]


@pytest.mark.parametrize("name, wrong, words", PLANTED,
                         ids=[f"{n}-{w[:30]}" for n, _, w in PLANTED])
def test_a_planted_mistake_fails_and_is_named(name, wrong, words):
    report = exercises.grade(name, wrong)
    assert report.status == "failing", report.text()
    assert any(words in m for m in report.mistakes), report.text()
    assert "Traceback" not in report.text()


def test_every_exercise_has_three_planted_mistakes():
    counts = {name: sum(p[0] == name for p in PLANTED) for name in exercises.EXERCISES}
    assert min(counts.values()) >= 3, counts


def test_notebook_check_prints_the_report_and_returns_the_verdict(capsys):
    assert exercises.check("dense", Dense) is True
    assert "dense: DONE" in capsys.readouterr().out
    assert exercises.check("dense", DenseUnsummed) is False
    assert "db is not summed over the batch" in capsys.readouterr().out


def test_a_function_exercise_graded_from_a_dict():
    report = exercises.grade("rbm_free_energy", {"free_energy": solutions.free_energy,
                                                 "free_energy_grads": _fe_grads_summed})
    assert report.status == "failing" and "summed over the batch" in report.text()

