"""The layer exercises: Dense, the activations, TiedDense, k-sparse top-k, max-pool.

Each is graded the same way (:func:`layer_part`): the student's layer and the library's get
the same float64 parameters and input; y, dx and every parameter's grad are compared; a
second backward call must double the grads (accumulate, never assign); and
``minidl.gradcheck.check_layer`` runs on the student's layer. Mistakes are named when the
student's result equals the library's transformed (transposed, times B, sign flipped, ...).
"""
from minidl import backend, gradcheck
from minidl.layers import LSTM, Conv2D, Dense, MaxPool2D, ReLU, Sigmoid, Tanh, TiedDense
from minidl.layers.pooling import AvgPool2D

from autoencoders.ksparse import top_k_mask
from exercises import Exercise, solutions
from exercises.grading import Outcome, Stop, host64

F64 = backend.float64
ASSIGNED = ("the gradient was assigned, not added (use p.grad += ...): a tied weight "
            "loses the other use's gradient")


def normal(shape, seed, *, away_from=None):
    """float64 N(0, 1) draws on the current backend; ``away_from=a`` keeps |x − a| >= 0.1."""
    x = backend.rng(seed).normal(shape, dtype=F64, xp=backend.xp)
    if away_from is not None:
        xp = backend.xp
        x = xp.where(x >= away_from, x + 0.1, x - 0.1)
    return x


def share_parameters(ref, student, names):
    """Give the student's layer copies of the reference layer's (float64) parameters."""
    for name in names:
        mine, theirs = getattr(student, name), getattr(ref, name)
        mine.data = theirs.data.copy()
        mine.grad = backend.get_array_module(theirs.data).zeros_like(theirs.data)


def layer_part(make_ref, make_student, x, *, names=(), mistakes=None, label="",
               accumulate=True, gradcheck_=True):
    """A grading part for a layer: y, dx, each parameter's grad, accumulation, gradcheck.

    ``mistakes``: {quantity: [(words, fn(c) -> the reference transformed)]}, quantities
    "y", "dx" and the parameter names; ``c`` holds x, dy, y, dx and the reference grads.
    """
    mistakes = mistakes or {}

    def part(obj, g):
        ref = make_ref()
        ref.astype(F64)
        stu = g.run(f"{label}building the layer", make_student, obj)
        stu.astype(F64)
        share_parameters(ref, stu, names)
        c = {"x": x, "B": x.shape[0], "ref": ref}
        c["y"] = ref.forward(x.copy())
        y = g.run(f"{label}y = forward(x)", stu.forward, x.copy())
        g.compare(f"{label}y", c["y"], y, _bind(mistakes.get("y", ()), c))
        c["dy"] = normal(c["y"].shape, 11)
        c["dx"] = ref.backward(c["dy"].copy())
        c.update({n: getattr(ref, n).grad.copy() for n in names})
        dx = g.run(f"{label}dx = backward(dy)", stu.backward, c["dy"].copy())
        g.compare(f"{label}dx", c["dx"], dx, _bind(mistakes.get("dx", ()), c))
        for n in names:
            g.compare(f"{label}d{n} (the grad of {n})", c[n], getattr(stu, n).grad,
                      _bind(mistakes.get(n, ()), c))
        if accumulate and names:
            g.run(f"{label}a second backward(dy)", stu.backward, c["dy"].copy())
            for n in names:
                g.compare(f"{label}d{n} after two backward calls (grads add up)", 2 * c[n],
                          getattr(stu, n).grad, [(ASSIGNED, c[n])])
        if gradcheck_:
            fresh = g.run(f"{label}building the layer", make_student, obj)
            fresh.astype(F64)
            share_parameters(ref, fresh, names)
            g.gradient_check(f"{label}gradient check: dx and every parameter (minidl.gradcheck"
                             f".check_layer, float64, random upstream gradient)",
                             lambda: gradcheck.check_layer(fresh, x.copy(), seed=3))
    return part


def _bind(pairs, c):
    return [(words, (lambda f=f: f(c))) for words, f in pairs]


# --- dense --------------------------------------------------------------------------------
def _dense_parts():
    def make_ref():
        layer = Dense(5, 3, seed=7)
        layer.b.data += backend.xp.linspace(-1, 1, 3, dtype=layer.b.dtype)   # b ≠ 0
        return layer

    mistakes = {
        "y": [("y is missing the bias: y = x W + b", lambda c: c["y"] - c["ref"].b.data)],
        "dx": [("dx has the wrong sign", lambda c: -c["dx"])],
        "W": [("dW has the right numbers transposed: use xᵀ dy", lambda c: c["W"].T),
              ("dW is averaged over the batch: sum it (dW = xᵀ dy)", lambda c: c["W"] / c["B"]),
              ("dW has the wrong sign", lambda c: -c["W"])],
        "b": [("db is not summed over the batch: db = Σ_batch dy", lambda c: c["dy"]),
              ("db is the gradient of one sample: sum dy over the batch",
               lambda c: c["dy"][0]),
              ("db is averaged over the batch: sum it", lambda c: c["b"] / c["B"])],
    }
    return [layer_part(make_ref, lambda cls: cls(5, 3, seed=7), normal((4, 5), 1),
                       names=("W", "b"), mistakes=mistakes)]


# --- activations --------------------------------------------------------------------------
def _activation_parts():
    x = normal((6, 5), 2, away_from=0.0)
    sig = [("dx is missing the factor (1 − y): dx = dy ⊙ y ⊙ (1 − y)",
            lambda c: c["dy"] * c["y"]),
           ("dx is missing the local derivative: dx = dy ⊙ y (1 − y), not dy",
            lambda c: c["dy"]),
           ("dx used the input x where the output y belongs: dx = dy ⊙ y (1 − y)",
            lambda c: c["dy"] * c["x"] * (1 - c["x"]))]
    tanh = [("dx = dy ⊙ (1 − y): square y, dx = dy ⊙ (1 − y²)", lambda c: c["dy"] * (1 - c["y"])),
            ("dx is missing the upstream gradient: multiply by dy",
             lambda c: 1 - c["y"] * c["y"]),
            ("dx has the wrong sign: dx = dy ⊙ (1 − y²)", lambda c: -c["dx"])]
    relu = [("dx passes dy everywhere: only where x > 0", lambda c: c["dy"]),
            ("dx passes dy where x < 0: the mask is [x > 0]", lambda c: c["dy"] * (c["x"] < 0)),
            ("dx is the mask alone: multiply by dy", lambda c: 1.0 * (c["x"] > 0))]
    return [layer_part(ref, lambda m, n=name: getattr(m, n)(), x, label=f"{name}: ",
                       mistakes={"dx": ms})
            for name, ref, ms in (("Sigmoid", Sigmoid, sig), ("Tanh", Tanh, tanh),
                                  ("ReLU", ReLU, relu))]


# --- tied dense ---------------------------------------------------------------------------
def _tied_parts():
    mistakes = {"W": [("dW has the right numbers transposed: use dyᵀ x", lambda c: c["W"].T),
                      ("dW is averaged over the batch: sum it", lambda c: c["W"] / c["B"]),
                      ("dW has the wrong sign", lambda c: -c["W"])],
                "b": [("db is averaged over the batch: sum it", lambda c: c["b"] / c["B"])],
                "dx": [("dx has the wrong sign", lambda c: -c["dx"])]}
    return [layer_part(lambda: TiedDense(Dense(5, 3, seed=8)),
                       lambda cls: cls(Dense(5, 3, seed=8)), normal((4, 3), 3),
                       names=("W", "b"), mistakes=mistakes),
            _tied_both_uses]


def _tied_both_uses(obj, g):
    """The encoder uses W, the student's decoder uses it again: W.grad must hold both."""
    enc = Dense(5, 3, seed=8)
    enc.astype(F64)
    ref = TiedDense(enc)
    x, dy, dh = normal((4, 5), 4), normal((4, 5), 5), normal((4, 3), 6)
    h = enc.forward(x)
    ref.forward(h)
    ref.backward(dy)
    decoder_use = enc.W.grad.copy()
    enc.W.zero_grad()
    enc.backward(dh)                                   # W.grad = the encoder's use
    encoder_use = enc.W.grad.copy()
    dec = g.run("building TiedDense(encoder)", obj, enc)
    if dec.W is not enc.W:
        g.add(Outcome("TiedDense.W is the encoder's Parameter object itself (the tying)",
                      False, note="keep the given `self.W = dense.W`: a copy is not tied"))
        raise Stop
    g.run("TiedDense.forward(h)", dec.forward, h)
    g.run("TiedDense.backward(dy) after the encoder's backward", dec.backward, dy)
    g.compare("W.grad after both uses (the encoder's + the decoder's)",
              encoder_use + decoder_use, enc.W.grad, [(ASSIGNED, decoder_use)])


# --- k-sparse -----------------------------------------------------------------------------
def _ksparse_parts():
    xp = backend.xp
    # distinct values, no ties at the k-th largest (STYLE: keep inputs away from kinks)
    perm = backend.rng(9).permutation(6 * 10)
    h = backend.to_device(host64(perm).reshape(6, 10) / 10.0 - 3.0, dtype=F64)
    k = 3
    top = lambda a, kk: a * top_k_mask(a, kk)                                  # noqa: E731
    mistakes = {"y": [("kept the k smallest units, not the k largest",
                       lambda c: c["x"] * top_k_mask(-c["x"], k)),
                      ("kept k + 1 units per row (off by one)", lambda c: top(c["x"], k + 1)),
                      ("kept k − 1 units per row (off by one)", lambda c: top(c["x"], k - 1)),
                      ("kept the k largest by |h|: the paper keeps the k largest values",
                       lambda c: c["x"] * top_k_mask(xp.abs(c["x"]), k)),
                      ("the whole row is kept: set all but the k largest to 0",
                       lambda c: c["x"])],
                "dx": [("dh passes dz everywhere: only the kept units get gradient",
                        lambda c: c["dy"]),
                       ("dh is the mask alone: multiply by dz",
                        lambda c: 1.0 * top_k_mask(c["x"], k)),
                       ("dh has the wrong sign", lambda c: -c["dx"])]}
    return [layer_part(lambda: solutions.TopK(k), lambda cls: cls(k), h, mistakes=mistakes)]


# --- max-pool -----------------------------------------------------------------------------
def _maxpool_parts():
    perm = backend.rng(10).permutation(2 * 2 * 4 * 6)
    x = backend.to_device(host64(perm).reshape(2, 2, 4, 6) / 10.0, dtype=F64)   # no ties

    def avg_back(c):
        pool = AvgPool2D(2)
        pool.forward(c["x"])
        return pool.backward(c["dy"])

    mistakes = {"y": [("y is the window mean (average pooling): take the max",
                       lambda c: AvgPool2D(2).forward(c["x"]))],
                "dx": [("dy was spread evenly over the window (average pooling's backward): "
                        "route it to the argmax only", avg_back),
                       ("dy was copied to every cell of the window: route it to the argmax",
                        lambda c: 4 * avg_back(c)),
                       ("dx has the wrong sign", lambda c: -c["dx"])]}
    return [layer_part(lambda: MaxPool2D(2), lambda cls: cls(2), x, mistakes=mistakes)]


# --- conv2d -------------------------------------------------------------------------------
def _conv_parts():
    def flipped(c):
        """The reference layer run with every kernel flipped: a convolution, not correlation."""
        ref = c["ref"]
        flip = Conv2D(2, 3, 3, padding=1)
        flip.astype(F64)
        flip.W.data, flip.b.data = ref.W.data[:, :, ::-1, ::-1].copy(), ref.b.data.copy()
        return flip.forward(c["x"])

    per_pixel = lambda c: c["B"] * c["y"].shape[2] * c["y"].shape[3]          # noqa: E731
    mistakes = {"y": [("the kernel was flipped: a CNN's convolution is a cross-correlation, "
                       "y = Σ W[o, c, a, b] x̃[n, c, i·s + a, j·s + b]", flipped),
                      ("y is missing the bias", lambda c: c["y"] - c["ref"].b.data[:, None, None])],
                "W": [("dW is averaged over the batch: sum it", lambda c: c["W"] / c["B"]),
                      ("dW has the wrong sign", lambda c: -c["W"])],
                "b": [("db is averaged over the batch and the pixels: sum dy over (n, i, j)",
                       lambda c: c["b"] / per_pixel(c))],
                "dx": [("dx has the wrong sign", lambda c: -c["dx"])]}

    def make_ref():
        layer = Conv2D(2, 3, 3, padding=1, seed=13)
        layer.b.data += backend.xp.asarray([0.5, -0.5, 1.0], dtype=layer.b.dtype)  # b ≠ 0
        return layer
    return [layer_part(make_ref, lambda cls: cls(2, 3, 3, padding=1, seed=13),
                       normal((2, 2, 5, 4), 14), names=("W", "b"), mistakes=mistakes)]


# --- lstm ---------------------------------------------------------------------------------
LSTM_ARGS = dict(n_in=3, n_hidden=4, return_sequences=True, seed=15)
RECURRENCE = ("one step is right but the sequence is not: the recurrence is wrong (h_{t−1} U in "
              "z_t, c_{t−1} = self.c[t], and dc_{t−1} = dc ⊙ f_t back through time)")


def _lstm_parts():
    def gates_swapped(c):
        """The reference run with the g and o blocks of W, U, b swapped."""
        ref, H = c["ref"], LSTM_ARGS["n_hidden"]
        other = LSTM(**LSTM_ARGS)
        other.astype(F64)
        xp = backend.get_array_module(ref.W.data)
        order = xp.concatenate([xp.arange(2 * H), xp.arange(3 * H, 4 * H), xp.arange(2 * H, 3 * H)])
        for name in ("W", "U", "b"):
            getattr(other, name).data = getattr(ref, name).data[..., order].copy()
        return other.forward(c["x"])

    words = "the gates are in the wrong order: the 4H columns are i, f, g, o (g is the tanh one)"
    make_ref = lambda: LSTM(**LSTM_ARGS)                                      # noqa: E731
    make_student = lambda cls: cls(**LSTM_ARGS)                               # noqa: E731
    parts = [layer_part(make_ref, make_student, normal((2, T, 3), 16 + T), names=("W", "U", "b"),
                        label=f"T = {T}: ", mistakes={"y": [(words, gates_swapped)]})
             for T in (1, 5)]
    return parts + [_recurrence_diagnosis]


def _recurrence_diagnosis(obj, g):
    """Name the recurrence when every T = 1 check passes and some T = 5 check fails."""
    one = [o for o in g.report.outcomes if o.quantity.startswith("T = 1: ")]
    five = [o for o in g.report.outcomes if o.quantity.startswith("T = 5: ") and not o.passed]
    if one and all(o.passed for o in one) and five and not any(o.mistakes for o in five):
        five[0].mistakes.append(RECURRENCE)


EXERCISES = [
    Exercise("dense", "Dense: y = x W + b, dW, db, dx", "Dense", _dense_parts),
    Exercise("activations", "Sigmoid, Tanh and ReLU: forward and backward", None,
             _activation_parts),
    Exercise("tied_dense", "TiedDense: y = x Wᵀ + c, the shared W adds both uses", "TiedDense",
             _tied_parts),
    Exercise("ksparse", "k-sparse: keep each row's k largest units, forward and backward",
             "TopK", _ksparse_parts),
    Exercise("lstm", "One LSTM step forward and backward, checked over whole sequences", "LSTM",
             _lstm_parts),
    Exercise("conv2d", "Conv2D as im2col and one GEMM; dW, db, and dx through col2im",
             "Conv2D", _conv_parts),
    Exercise("maxpool", "MaxPool2D: the window max and its backward to the argmax",
             "MaxPool2D", _maxpool_parts),
]
