"""Exercise "lstm": one LSTM time step, forward and backward (checked over whole sequences).

Replace each ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check lstm

Given (from the library's LSTM, which this class extends): the loop over time, the one GEMM
that projects every x_t, the caches and the parameter gradients summed over time. You write
the step. Caches, all (B, ·) slices: ``self.h[t]`` = h_{t−1} and ``self.c[t]`` = c_{t−1}
(write h_t into ``self.h[t + 1]``, c_t into ``self.c[t + 1]``), ``self.gates[t]`` (B, 4H)
the activations i, f, g, o side by side, ``self.tanh_c[t]`` = tanh(c_t). Given: ``sigmoid``.
"""
from minidl import backend
from minidl.layers.activations import sigmoid
from minidl.layers.recurrent import LSTM as LibraryLSTM


class LSTM(LibraryLSTM):
    """@library minidl.layers.recurrent:LSTM"""

    def _step_forward(self, t, zx_t):
        """Step t: zx_t = x_t W + b (B, 4H) is given; fill gates[t], c[t+1], tanh_c[t], h[t+1]."""
        xp = backend.get_array_module(zx_t)
        H = self.n_hidden
        raise NotImplementedError("exercise: z = zx_t + h_{t−1} U; i, f, o = σ(·), g = tanh(·) "
                                  "into self.gates[t]; c_t = f ⊙ c_{t−1} + i ⊙ g; "
                                  "h_t = o ⊙ tanh(c_t)")

    def _step_backward(self, t, dh, dc, dz_t, slope_t):
        """Step t backward: dh = ∂L/∂h_t, dc = ∂L/∂c_t (B, H) are given, and slope_t (B, 4H)
        the gates' activation derivatives; write dz_t (B, 4H) in place, return dc_{t−1}."""
        H = self.n_hidden
        raise NotImplementedError("exercise: dz_t[...] = [dc ⊙ g, dc ⊙ c_{t−1}, dc ⊙ i, "
                                  "dh ⊙ tanh(c_t)] ⊙ slope_t; return dc ⊙ f")
