"""Recurrent layers: an LSTM with backpropagation through time written out by hand,
and the two shape helpers a sequence autoencoder needs (RepeatVector, TimeDistributed).

Sequences are batch-first: ``x`` has shape (B, T, D) -- batch, time steps, features.
"""
import math

from minidl import backend, checks
from minidl.layers.activations import sigmoid
from minidl.layers.base import Layer
from minidl.parameter import Parameter

__all__ = ["LSTM", "LSTMDecoder", "RepeatVector", "TimeDistributed"]


def _check_sequence(layer, x, n_features):
    """Raise a clear error unless ``x`` is (batch, time, n_features)."""
    if x.ndim == 3 and x.shape[2] == n_features and x.shape[1] > 0:
        return
    if x.ndim == 2 and x.shape[1] % n_features == 0 and x.shape[1] > 0:
        hint = (f"add the time axis, e.g. x.reshape(len(x), {x.shape[1] // n_features}, "
                f"{n_features}) (MNIST read row by row: x.reshape(-1, 28, 28))")
    else:
        hint = f"pass an array of shape (batch, time steps, {n_features}), time first after batch"
    raise ValueError(f"{layer!r} got input of shape {tuple(x.shape)}, expected "
                     f"(batch, time, {n_features}): {hint}")


class LSTM(Layer):
    """Long short-term memory layer (Hochreiter & Schmidhuber 1997, with the forget gate
    of Gers, Schmidhuber & Cummins 2000), trained by backpropagation through time.

    Parameters
    ----------
    n_in : int, features per time step (D).
    n_hidden : int, size H of the hidden and cell state.
    return_sequences : bool. False: the output is the last hidden state h_T, (B, H).
        True: every hidden state h_1..h_T, (B, T, H).
    return_cell : bool, with ``return_sequences`` False only: the output is the last
        *cell* state c_T (B, H) instead of h_T = o_T ⊙ tanh(c_T). The cell is what the
        LSTM carries from step to step before the output gate hides part of it, so it
        is the richer summary (the sequence autoencoder's code). Backward then starts
        from dc_T = dy and dh_T = 0.
    seed : int or None, seeds the initial weights.

    Attributes
    ----------
    W : Parameter (D, 4H), input weights; U : Parameter (H, 4H), recurrent weights;
    b : Parameter (4H,). The 4H columns hold the gates in the order input i,
        forget f, cell candidate g, output o (as ``torch.nn.LSTM``, transposed).
    dh0, dc0 : (B, H) arrays, dL/dh_0 and dL/dc_0 after ``backward``.

    Notes
    -----
    Forward, for t = 1..T with x_t (B, D), h_0 = c_0 = 0 unless an initial state is given:

        z_t = x_t W + h_{t−1} U + b                         (B, 4H), split into z^i z^f z^g z^o
        i_t = σ(z^i)   f_t = σ(z^f)   g_t = tanh(z^g)   o_t = σ(z^o)
        c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
        h_t = o_t ⊙ tanh(c_t)

    The products x_t W for all t are one matrix product over the (T·B, D) input.

    Backward through time, t = T..1, with dh_t = ∂L/∂h_t coming from the output
    (dy_t, or dy at t = T only) plus the recurrence (dh_next), and dc_next from step t+1:

        dh      = dy_t + dh_next
        do_t    = dh ⊙ tanh(c_t)
        dc      = dc_next + dh ⊙ o_t ⊙ (1 − tanh²(c_t))
        di_t    = dc ⊙ g_t      df_t = dc ⊙ c_{t−1}      dg_t = dc ⊙ i_t
        dz^i = di_t ⊙ i_t(1 − i_t)    dz^f = df_t ⊙ f_t(1 − f_t)
        dz^g = dg_t ⊙ (1 − g_t²)      dz^o = do_t ⊙ o_t(1 − o_t)
        dc_next = dc ⊙ f_t            dh_next = dz_t Uᵀ

    and, summed over time (one matrix product each):

        dW += Σ_t x_tᵀ dz_t    dU += Σ_t h_{t−1}ᵀ dz_t    db += Σ_t Σ_batch dz_t
        dx_t = dz_t Wᵀ         dh_0 = dh_next,  dc_0 = dc_next after the last step.

    (dx is skipped, and backward returns None, when ``input_grad`` is False.)

    Initialisation as Keras: W Glorot-uniform, U orthogonal (Saxe et al. 2014),
    b = 0 except the forget-gate bias = 1 so the cell remembers by default
    (Jozefowicz, Zaremba & Sutskever 2015). Gates use the tanh form of the sigmoid
    (``activations.sigmoid``), which cannot overflow, so saturated gates stay finite
    on long sequences.
    """

    def __init__(self, n_in, n_hidden, return_sequences=False, *, return_cell=False,
                 seed=None, dtype=backend.float32, name=None):
        self.n_in = checks.positive_int("LSTM", "n_in", n_in)
        self.n_hidden = checks.positive_int("LSTM", "n_hidden", n_hidden)
        self.return_sequences = bool(return_sequences)
        self.return_cell = bool(return_cell)
        if self.return_cell and self.return_sequences:
            raise ValueError("LSTM: return_cell=True returns the last cell state c_T only; "
                             "it cannot be combined with return_sequences=True (pass one "
                             "of the two)")
        self.name = name or f"lstm_{n_in}x{n_hidden}"
        W, U, b = _init_lstm(n_in, n_hidden, seed, dtype)
        self.W = Parameter(W, name=f"{self.name}.W")
        self.U = Parameter(U, name=f"{self.name}.U")
        self.b = Parameter(b, name=f"{self.name}.b")
        self.x2d = None  # cached state: see forward
        self.dh0 = self.dc0 = None

    # --- forward -------------------------------------------------------------
    def forward(self, x, training=False, initial_state=None):
        """x (B, T, D) -> h_T (B, H), or (B, T, H) with ``return_sequences``.

        ``initial_state``: optional pair (h_0, c_0) of (B, H) arrays; zeros otherwise.
        """
        _check_sequence(self, x, self.n_in)
        xp = backend.get_array_module(x)
        B, T, D = x.shape
        H = self.n_hidden
        # time-major copy of the input, so one GEMM projects every step at once
        self.x2d = xp.ascontiguousarray(x.transpose(1, 0, 2)).reshape(T * B, D)
        zx = (self.x2d @ self.W.data + self.b.data).reshape(T, B, 4 * H)
        self.h = xp.empty((T + 1, B, H), dtype=zx.dtype)  # h_0 .. h_T
        self.c = xp.empty((T + 1, B, H), dtype=zx.dtype)  # c_0 .. c_T
        self.h[0], self.c[0] = self._initial_state(initial_state, B, xp)
        self.gates = xp.empty((T, B, 4 * H), dtype=zx.dtype)  # i, f, g, o per step
        self.tanh_c = xp.empty((T, B, H), dtype=zx.dtype)
        self._z = xp.empty((B, 4 * H), dtype=zx.dtype)  # scratch for each step's z_t
        for t in range(T):
            self._step_forward(t, zx[t])
        if self.return_sequences:
            return xp.ascontiguousarray(self.h[1:].transpose(1, 0, 2))  # (B, T, H)
        return self.c[T].copy() if self.return_cell else self.h[T].copy()

    def _step_forward(self, t, zx_t):
        """One time step: gates from z_t, then c_t and h_t, written into the caches."""
        xp = backend.get_array_module(zx_t)
        H = self.n_hidden
        z = xp.matmul(self.h[t], self.U.data, out=self._z)
        z += zx_t
        a = self.gates[t]
        sigmoid(z, out=a)                        # i, f, o (g overwritten next)
        xp.tanh(z[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c = self.c[t + 1]
        xp.multiply(f, self.c[t], out=c)
        c += i * g
        xp.tanh(c, out=self.tanh_c[t])
        xp.multiply(o, self.tanh_c[t], out=self.h[t + 1])

    def _initial_state(self, initial_state, B, xp):
        if initial_state is None:
            return 0.0, 0.0
        if not isinstance(initial_state, (tuple, list)) or len(initial_state) != 2:
            raise ValueError(f"{self!r}: initial_state must be the pair (h0, c0), "
                             f"got {type(initial_state).__name__}")
        for name, s in zip(("h0", "c0"), initial_state):
            if tuple(s.shape) != (B, self.n_hidden):
                raise ValueError(f"{self!r}: initial_state {name} has shape {tuple(s.shape)}, "
                                 f"expected (batch, n_hidden) = ({B}, {self.n_hidden})")
        return initial_state

    # --- backward through time ------------------------------------------------
    def backward(self, dy):
        """dy = dL/dy, (B, H) or (B, T, H) -> dx (B, T, D); adds into W, U, b grads."""
        self._need_forward(self.x2d)
        xp = backend.get_array_module(dy)
        T, B, H = self.tanh_c.shape
        want = (B, T, H) if self.return_sequences else (B, H)
        if tuple(dy.shape) != want:
            raise ValueError(f"{self!r}.backward got dy of shape {tuple(dy.shape)}, "
                             f"expected the output's shape {want}")
        dy_t = dy.transpose(1, 0, 2) if self.return_sequences else None  # (T, B, H) view
        slope, dc_dh = self._local_derivatives()
        dz = xp.empty_like(self.gates)                           # (T, B, 4H)
        dh_next = dy if dy_t is None else xp.zeros_like(dy_t[0])
        dc_next = xp.zeros_like(dh_next)
        if self.return_cell:                                     # y = c_T: dc_T = dy
            dh_next, dc_next = dc_next, dh_next
        for t in reversed(range(T)):
            dh = dh_next + dy_t[t] if dy_t is not None else dh_next
            dc = dh * dc_dh[t]                                   # through h_t = o ⊙ tanh(c_t)
            dc += dc_next
            dc_next = self._step_backward(t, dh, dc, dz[t], slope[t])
            dh_next = dz[t] @ self.U.data.T
        self.dh0, self.dc0 = dh_next, dc_next
        return self._accumulate(dz)

    def _local_derivatives(self):
        """The step-local factors of BPTT, for all steps at once (one array op each).

        slope (T, B, 4H): each gate's activation derivative, σ' = σ(1 − σ) for i, f, o
        and tanh' = 1 − g² for g.  dc_dh (T, B, H): ∂h_t/∂c_t = o_t ⊙ (1 − tanh²(c_t)).
        """
        H = self.n_hidden
        slope = self.gates * (1.0 - self.gates)
        g = self.gates[:, :, 2 * H:3 * H]
        slope[:, :, 2 * H:3 * H] = 1.0 - g * g
        dc_dh = 1.0 - self.tanh_c * self.tanh_c
        dc_dh *= self.gates[:, :, 3 * H:]
        return slope, dc_dh

    def _step_backward(self, t, dh, dc, dz_t, slope_t):
        """Write dz_t (B, 4H) for step t from dh_t and dc_t; return dc_{t-1} = dc ⊙ f_t."""
        xp = backend.get_array_module(dh)
        H = self.n_hidden
        a = self.gates[t]
        i, f, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H]
        # gradients w.r.t. the gate activations i, f, g, o ...
        xp.multiply(dc, g, out=dz_t[:, :H])
        xp.multiply(dc, self.c[t], out=dz_t[:, H:2 * H])
        xp.multiply(dc, i, out=dz_t[:, 2 * H:3 * H])
        xp.multiply(dh, self.tanh_c[t], out=dz_t[:, 3 * H:])
        dz_t *= slope_t  # ... then through σ' or tanh' to the pre-activations
        return dc * f

    def _accumulate(self, dz):
        """Parameter gradients summed over time and dx, one matrix product each."""
        T, B, H4 = dz.shape
        dz2d = dz.reshape(T * B, H4)
        self.W.grad += self.x2d.T @ dz2d
        self.U.grad += self.h[:-1].reshape(T * B, self.n_hidden).T @ dz2d
        self.b.grad += dz2d.sum(axis=0)
        if not self.input_grad:
            return None
        dx = (dz2d @ self.W.data.T).reshape(T, B, self.n_in)
        return backend.get_array_module(dz).ascontiguousarray(dx.transpose(1, 0, 2))

    def __repr__(self):
        extra = ", return_sequences=True" if self.return_sequences else ""
        extra += ", return_cell=True" if self.return_cell else ""
        return f"LSTM({self.n_in}, {self.n_hidden}{extra})"


def _init_lstm(n_in, n_hidden, seed, dtype):
    """W Glorot-uniform (D, 4H), U orthogonal (H, 4H), b zero with forget bias 1."""
    xp, H = backend.xp, n_hidden
    gen = backend.rng(seed)
    a = math.sqrt(6.0 / (n_in + 4 * H))
    W = gen.uniform(-a, a, (n_in, 4 * H), dtype)
    q, r = xp.linalg.qr(gen.normal((4 * H, H), dtype))  # q (4H, H), orthonormal columns
    q *= xp.sign(xp.diagonal(r))  # the sign fix makes the draw uniform (Mezzadri 2007)
    U = xp.ascontiguousarray(q.T).astype(dtype)
    b = xp.zeros(4 * H, dtype=dtype)
    b[H:2 * H] = 1.0
    return W, U, b


class RepeatVector(Layer):
    """Repeat a vector n times along a new time axis: x (B, D) -> y (B, n, D).

    y_t = x for t = 1..n, so backward sums over time: dx = Σ_t dy_t.
    The sequence autoencoder feeds its code to the decoder LSTM this way (Keras tutorial).
    """

    def __init__(self, n):
        self.n = checks.positive_int("RepeatVector", "n", n)
        self.shape = None

    def forward(self, x, training=False):
        if x.ndim != 2:
            raise ValueError(f"{self!r} got input of shape {tuple(x.shape)}, expected "
                             f"(batch, features): repeat one vector per sample")
        xp = backend.get_array_module(x)
        self.shape = x.shape
        return xp.ascontiguousarray(xp.broadcast_to(x[:, None, :], (x.shape[0], self.n,
                                                                     x.shape[1])))

    def backward(self, dy):
        self._need_forward(self.shape)
        if not self.input_grad:
            return None
        return dy.sum(axis=1)

    def __repr__(self):
        return f"RepeatVector({self.n})"


class LSTMDecoder(Layer):
    """An LSTM that starts *from* a code and reads it at every step: z (B, H) -> (B, n, H).

    The code z is taken to be an LSTM cell state (an encoder's last c_T, see
    ``LSTM(return_cell=True)``). The decoder's first state is that state, and its input at
    every step is the code squashed the way an LSTM squashes its cell:

        s = tanh(z)                      (B, H)
        x_t = s  for t = 1..n            (RepeatVector(n), as the Keras tutorial feeds z)
        (h_0, c_0) = (s, z)              (the encoder's state copied in: Sutskever, Vinyals
                                          & Le 2014; Srivastava, Mansimov & Salakhutdinov 2015)
        y = LSTM(H, H, return_sequences=True)(x_1..x_n ; h_0, c_0)

    Why not only RepeatVector: an LSTM that starts at h_0 = c_0 = 0 and sees the same
    input at every step settles towards one fixed state, so it must first learn to count
    time before its outputs can differ from row to row; started from the code's own
    state, its trajectory differs per sample from the first step (measured in the
    sequence autoencoder's docstring).

    Backward: z reaches y along three paths, the input at every step, h_0 (through the
    tanh) and c_0, so with the wrapped LSTM's dx (B, n, H), dh_0 and dc_0

        ds = Σ_t dx_t + dh_0,      dz = ds ⊙ (1 − s²) + dc_0.

    ``n`` is an attribute (the sequence autoencoder sets it to each input's length).
    The parameters are the wrapped ``lstm``'s.
    """

    def __init__(self, n_hidden, n, *, seed=None, name=None):
        self.n_hidden = checks.positive_int("LSTMDecoder", "n_hidden", n_hidden)
        self.n = checks.positive_int("LSTMDecoder", "n", n)
        self.lstm = LSTM(n_hidden, n_hidden, return_sequences=True, seed=seed,
                         name=name or f"lstm_decoder_{n_hidden}")
        self.s = None

    def forward(self, z, training=False):
        if z.ndim != 2 or z.shape[1] != self.n_hidden:
            raise ValueError(f"{self!r} got input of shape {tuple(z.shape)}, expected "
                             f"(batch, {self.n_hidden}): one code per sample, the size of "
                             f"the LSTM's state")
        xp = backend.get_array_module(z)
        self.s = xp.tanh(z)
        x = xp.ascontiguousarray(xp.broadcast_to(self.s[:, None, :], (z.shape[0], self.n,
                                                                       self.n_hidden)))
        return self.lstm.forward(x, training=training, initial_state=(self.s, z))

    def backward(self, dy):
        self._need_forward(self.s)
        dx = self.lstm.backward(dy)                              # also fills dh0, dc0
        if not self.input_grad:
            return None
        ds = dx.sum(axis=1) + self.lstm.dh0
        return ds * (1.0 - self.s * self.s) + self.lstm.dc0

    def __repr__(self):
        return f"LSTMDecoder({self.n_hidden}, n={self.n})"


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step: x (B, T, ...) -> y (B, T, ...).

    The time axis is folded into the batch, so the inner layer sees (B·T, ...) and
    its weights are shared across steps; its gradients sum over every step:
        y = layer(x.reshape(B·T, ...)).reshape(B, T, ...)
        dx = layer.backward(dy.reshape(B·T, ...)).reshape(B, T, ...)
    Its parameters are the inner layer's, and so is ``input_grad``.
    """

    def __init__(self, layer):
        if not isinstance(layer, Layer):
            raise TypeError(f"TimeDistributed wraps a minidl Layer such as layers.Dense(64, 28), "
                            f"got {type(layer).__name__}")
        self.layer = layer
        self.bt = None

    @property
    def input_grad(self):
        return self.layer.input_grad

    @input_grad.setter
    def input_grad(self, value):
        self.layer.input_grad = value

    def forward(self, x, training=False):
        if x.ndim < 3:
            raise ValueError(f"{self!r} got input of shape {tuple(x.shape)}, expected "
                             f"(batch, time, features...): use the inner layer directly "
                             f"on (batch, features) inputs")
        self.bt = x.shape[:2]
        y = self.layer.forward(x.reshape((-1,) + tuple(x.shape[2:])), training=training)
        return y.reshape(tuple(self.bt) + tuple(y.shape[1:]))

    def backward(self, dy):
        self._need_forward(self.bt)
        dx = self.layer.backward(dy.reshape((-1,) + tuple(dy.shape[2:])))
        if dx is None:
            return None
        return dx.reshape(tuple(self.bt) + tuple(dx.shape[1:]))

    def __repr__(self):
        return f"TimeDistributed({self.layer!r})"
