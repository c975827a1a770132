"""Exercise "adam": one Adam step for one parameter.

Replace the ``raise NotImplementedError("exercise: ...")`` with your code, then run

    python -m exercises check adam

Given (from minidl.optimizers.Optimizer): ``step(params)`` calls ``update(p, g, state)`` for
each parameter, with ``g`` its gradient and ``state`` a dict holding ``state["t"]`` (0 before
the first step) and ``state["m"]``, ``state["v"]`` (zeros, p's shape). Update ``p.data`` in
place. The plain form (m̂, v̂, then θ) is all the check needs.
"""
from minidl import backend, checks
from minidl.optimizers import Optimizer


class Adam(Optimizer):
    """@library minidl.optimizers:Adam"""

    slots = ("m", "v")

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = checks.number("Adam", "beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = checks.number("Adam", "beta2", beta2, low=0, high=1, high_open=True)
        self.eps = checks.number("Adam", "eps", eps, low=0, low_open=True)

    def update(self, p, g, state):
        xp = backend.get_array_module(p.data)
        m, v = state["m"], state["v"]
        raise NotImplementedError("exercise: t += 1; update m and v in place (m *= ..., "
                                  "m += ...); θ ← θ − lr · m̂ / (√v̂ + ε) into p.data")
