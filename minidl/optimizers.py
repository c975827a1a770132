"""Optimizers: update each non-frozen Parameter from its accumulated ``grad``."""
from minidl import backend


class Optimizer:
    """Base class. ``step(params)`` updates, ``zero_grad(params)`` resets grads.

    State (momentum buffers, moment estimates) is kept per Parameter, keyed by
    identity, and created lazily on the first step.
    """

    def __init__(self, lr):
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: learning rate lr={lr!r} must be > 0")
        self.lr = lr
        self.state = {}

    def step(self, params):
        for p in params:
            if not p.frozen:
                self.update(p, self.state.setdefault(id(p), {}))

    def update(self, p, state):
        raise NotImplementedError

    @staticmethod
    def zero_grad(params):
        for p in params:
            p.zero_grad()


class SGD(Optimizer):
    """Plain stochastic gradient descent: θ ← θ − lr · g."""

    def update(self, p, state):
        p.data -= self.lr * p.grad


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), bias-corrected moments."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, p, state):
        xp = backend.get_array_module(p.data)
        if not state:
            state.update(t=0, m=xp.zeros_like(p.data), v=xp.zeros_like(p.data))
        state["t"] += 1
        t, m, v, g = state["t"], state["m"], state["v"], p.grad
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1 ** t)
        v_hat = v / (1 - self.beta2 ** t)
        p.data -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)
