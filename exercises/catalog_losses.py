"""The loss, optimizer and penalty exercises: BCE-with-logits, softmax cross-entropy, Adam,
the KL sparsity penalty and the contractive penalty.

Values are compared with the library's (whose tests check them against closed forms);
gradients with the library's and by ``minidl.gradcheck.check_gradients`` on the student's
own value (central differences, float64).
"""
from minidl import backend, gradcheck
from minidl.layers import Dense
from minidl.layers.activations import sigmoid
from minidl.losses import BCEWithLogits, SoftmaxCrossEntropy
from minidl.optimizers import Adam
from minidl.parameter import Parameter

from autoencoders.penalties import ContractivePenalty, KLSparsity, kl_bernoulli
from exercises import Exercise
from exercises.catalog_layers import F64, normal
from exercises.grading import Outcome, Stop

GRADCHECK = "gradient check of {} (minidl.gradcheck, float64, central differences)"


def _bind(pairs, c):
    return [(words, (lambda f=f: f(c))) for words, f in pairs]


def loss_part(ref_cls, z, t, *, value_mistakes=(), grad_mistakes=(), finite_hint=None,
              label="", gradcheck_=True):
    """A grading part for a loss: the value, dpred = backward(), and a gradient check."""
    def part(cls, g):
        ref = ref_cls()
        stu = g.run("building the loss", cls)
        c = {"z": z, "t": t, "B": z.shape[0], "n": z.size, "C": z.shape[1]}
        c["value"] = float(ref.forward(z.copy(), t))
        c["dz"] = ref.backward()
        value = g.run(f"{label}loss = forward(z, t)", stu.forward, z.copy(), t)
        g.compare(f"{label}loss value", c["value"], _float(g, value),
                  _bind(value_mistakes, c), finite_hint=finite_hint)
        dz = g.run(f"{label}dz = backward()", stu.backward)
        g.compare(f"{label}dz", c["dz"], dz, _bind(grad_mistakes, c), finite_hint=finite_hint)
        if gradcheck_:
            zz = z.copy()
            g.gradient_check(GRADCHECK.format("your loss's dz against your loss's value"),
                             lambda: _check_loss(stu, zz, t))
    return part


def _float(g, value):
    try:
        return float(value)
    except Exception:
        g.add(Outcome("loss value", False, note=f"forward returned {type(value).__name__}, "
                                                f"not a number"))
        raise Stop


def _check_loss(loss, z, t):
    loss.forward(z, t)
    dz = loss.backward()
    return gradcheck.check_gradients(lambda: float(loss.forward(z, t)), [z], [dz], ["dz"])


# --- BCE with logits ----------------------------------------------------------------------
def _bce_parts():
    z = 3.0 * normal((4, 5), 20)
    t = backend.rng(21).random((4, 5), dtype=F64, xp=backend.xp)
    value = [("the loss is not divided by n (the mean is over every element)",
              lambda c: c["value"] * c["n"]),
             ("the loss is divided by the batch size, not by the number of elements n",
              lambda c: c["value"] * c["n"] / c["B"]),
             ("the loss has the wrong sign: ℓ = −t log σ(z) − (1 − t) log(1 − σ(z))",
              lambda c: -c["value"])]
    grad = [("dz is not divided by n (the mean is over every element)",
             lambda c: c["dz"] * c["n"]),
            ("dz has the wrong sign: dℓ/dz = σ(z) − t", lambda c: -c["dz"]),
            ("dz is σ(z): subtract the target, dℓ/dz = σ(z) − t",
             lambda c: c["dz"] + c["t"] / c["n"])]
    big = backend.xp.asarray([[-80.0, 80.0, -800.0, 800.0, 3.0]] * 2, dtype=F64)
    tb = backend.xp.asarray([[1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.0, 1.0, 0.5]], dtype=F64)
    unstable = ("log(sigmoid(z)) overflows at z = -80: use the log-sum-exp form "
                "max(z, 0) − z t + log(1 + e^(−|z|))")
    return [loss_part(BCEWithLogits, z, t, value_mistakes=value, grad_mistakes=grad),
            loss_part(BCEWithLogits, big, tb, label="at logits ±80 and ±800: ",
                      finite_hint=unstable, gradcheck_=False)]


# --- softmax cross-entropy ----------------------------------------------------------------
def _ce_parts():
    xp = backend.xp
    z = 2.0 * normal((5, 4), 22)
    labels = xp.asarray([0, 3, 1, 3, 2], dtype="int64")
    onehot = lambda c: xp.eye(c["C"], dtype=F64)[labels]                    # noqa: E731
    value = [("the loss is not divided by the batch size", lambda c: c["value"] * c["B"]),
             ("the loss is divided by B·C (every logit), not by the batch size B",
              lambda c: c["value"] / c["C"]),
             ("the loss has the wrong sign: L = −log softmax(z)_y", lambda c: -c["value"])]
    grad = [("dz is not divided by the batch size", lambda c: c["dz"] * c["B"]),
            ("the one-hot target was not subtracted: dz = (softmax(z) − onehot(y)) / B",
             lambda c: c["dz"] + onehot(c) / c["B"]),
            ("dz has the wrong sign: dz = (softmax(z) − onehot(y)) / B", lambda c: -c["dz"])]
    big = 1000.0 * normal((5, 4), 23)
    unstable = ("exp overflowed at logits of about 1000: subtract each row's max before exp "
                "(log softmax(z) = z − m − log Σ e^(z − m))")
    return [loss_part(SoftmaxCrossEntropy, z, labels, value_mistakes=value, grad_mistakes=grad),
            loss_part(SoftmaxCrossEntropy, big, labels, label="at logits of about 1000: ",
                      finite_hint=unstable, gradcheck_=False)]


# --- Adam ---------------------------------------------------------------------------------
def _adam_part(cls, g):
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p_ref, p_stu = Parameter(normal((3, 4), 30)), Parameter(normal((3, 4), 30))
    ref, stu = Adam(lr, b1, b2, eps), g.run("building the optimizer", cls, lr, b1, b2, eps)
    for t in (1, 2, 3):
        grad = normal((3, 4), 30 + t)
        p_ref.grad[...], p_stu.grad[...] = grad, grad
        before = p_ref.data.copy()
        ref.step([p_ref])
        g.run(f"step {t}", stu.step, [p_stu])
        s = ref.state[id(p_ref)]
        m, v = s["m"], s["v"]
        xp = backend.get_array_module(m)
        g.compare(f"θ after step {t}", p_ref.data, p_stu.data, [
            ("the moments were not bias-corrected: m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)",
             lambda: before - lr * m / (xp.sqrt(v) + eps)),
            ("the update has the wrong sign: θ ← θ − lr · m̂ / (√v̂ + ε)",
             lambda: 2 * before - p_ref.data),
            ("t was not incremented: every step bias-corrected with t = 1 (state['t'] += 1)",
             lambda: before - lr * (m / (1 - b1)) / (xp.sqrt(v / (1 - b2)) + eps))])
        p_stu.data[...] = p_ref.data                 # judge each step from the same θ


# --- KL sparsity --------------------------------------------------------------------------
def _kl_part(cls, g):
    rho, beta = 0.1, 3.0
    h = sigmoid(normal((8, 5), 40) - 1.0)                   # sigmoid codes
    ref = KLSparsity(rho, beta)
    stu = g.run("building the penalty", cls, rho, beta)
    value, dh_ref = ref.value_and_grad(h.copy())
    value = float(value)
    out = g.run("value_and_grad(h)", stu.value_and_grad, h.copy())
    v_stu, dh = _pair(g, out)
    B = h.shape[0]
    g.compare("Ω value", value, v_stu, [
        ("β is missing: Ω = β Σ_j KL(ρ ‖ ρ̂_j)", value / beta),
        ("the KL was taken per sample and averaged: ρ̂_j is the batch mean (1/B) Σ_b h_bj",
         lambda: beta * float(kl_bernoulli(rho, h).sum()) / B),
        ("Ω has the wrong sign", -value)])
    g.compare("dΩ/dh", dh_ref, dh, [
        ("dΩ/dh is missing the 1/B of the batch mean ρ̂ = (1/B) Σ_b h_b", dh_ref * B),
        ("dΩ/dh has the wrong sign: ∂Ω/∂ρ̂_j = β (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))", -dh_ref),
        ("β is missing from dΩ/dh", dh_ref / beta)])
    hh = h.copy()
    g.gradient_check(GRADCHECK.format("dΩ/dh against your Ω"), lambda: gradcheck.check_gradients(
        lambda: float(stu.value_and_grad(hh)[0]), [hh], [stu.value_and_grad(hh)[1]], ["dΩ/dh"]))


def _pair(g, out):
    if not (isinstance(out, tuple) and len(out) == 2):
        g.add(Outcome("value_and_grad(h) returns (value, dΩ/dh)", False,
                      note=f"got {type(out).__name__}"))
        raise Stop
    try:
        return float(out[0]), out[1]
    except Exception:
        g.add(Outcome("value_and_grad(h): the value is a number", False,
                      note=f"got {type(out[0]).__name__}"))
        raise Stop


# --- contractive --------------------------------------------------------------------------
def _contractive_part(cls, g):
    lam = 0.3
    dense = Dense(6, 4, seed=12)
    dense.astype(F64)
    dense.b.data += 0.5
    h = sigmoid(dense.forward(normal((5, 6), 41)))
    ref = ContractivePenalty(dense, lam)
    value, dh_ref = ref.value_and_grad(h.copy())
    value, dW_ref = float(value), ref.parameter_grads(h.copy())[0][1]
    stu = g.run("building the penalty", cls, dense, lam)
    v_stu, dh = _pair(g, g.run("value_and_grad(h)", stu.value_and_grad, h.copy()))
    B = h.shape[0]
    g.compare("Ω value", value, v_stu, [
        ("Ω is not divided by the batch size: Ω = λ (1/B) Σ_b ‖J_b‖²", value * B),
        ("λ is missing: Ω = λ (1/B) Σ_b ‖J_b‖²", value / lam),
        ("Ω has the wrong sign", -value)])
    g.compare("dΩ/dh (through the code)", dh_ref, dh, [
        ("dΩ/dh is not divided by the batch size", dh_ref * B),
        ("dΩ/dh is missing the factor 2 of the square: λ/B · 2 s (1 − 2h) w_j", dh_ref / 2),
        ("dΩ/dh has the wrong sign", -dh_ref)])
    grads = g.run("parameter_grads(h)", stu.parameter_grads, h.copy())
    if not (isinstance(grads, list) and len(grads) == 1 and grads[0][0] is dense.W):
        g.add(Outcome("parameter_grads(h) is [(dense.W, dΩ/dW)]", False,
                      note=f"got {grads!r:.120}"))
        raise Stop
    dW = grads[0][1]
    g.compare("dΩ/dW (directly, h held fixed)", dW_ref, dW, [
        ("dΩ/dW is missing the factor 2: ∂Ω/∂W_ij = λ/B · 2 W_ij Σ_b a_bj", dW_ref / 2),
        ("dΩ/dW is not divided by the batch size", dW_ref * B),
        ("dΩ/dW has the right numbers transposed", dW_ref.T),
        ("dΩ/dW has the wrong sign", -dW_ref)])
    hh = h.copy()
    g.gradient_check(GRADCHECK.format("dΩ/dh and dΩ/dW against your Ω"),
                     lambda: gradcheck.check_gradients(
                         lambda: float(stu.value_and_grad(hh)[0]), [hh, dense.W.data],
                         [stu.value_and_grad(hh)[1], stu.parameter_grads(hh)[0][1]],
                         ["dΩ/dh", "dΩ/dW"]))


EXERCISES = [
    Exercise("bce_logits", "BCE with logits: stable at any logit, and its gradient",
             "BCEWithLogits", _bce_parts),
    Exercise("softmax_ce", "Softmax cross-entropy with integer labels", "SoftmaxCrossEntropy",
             _ce_parts),
    Exercise("adam", "Adam: one bias-corrected step", "Adam", lambda: [_adam_part]),
    Exercise("kl_sparsity", "The KL sparsity penalty through the batch mean", "KLSparsity",
             lambda: [_kl_part]),
    Exercise("contractive", "The contractive penalty ‖J‖²_F and its two gradients",
             "ContractivePenalty", lambda: [_contractive_part]),
]
