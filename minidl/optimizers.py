"""Optimizers: update each non-frozen Parameter from its accumulated ``grad``.

Every rule below is the published one, and matches ``torch.optim`` with the same
hyperparameters step for step, so a run here compares with a run there:

    SGD       θ ← θ − lr·b,   b ← μ b + g             (Sutskever et al. 2013 form)
    Adagrad   θ ← θ − lr·g / (√G + ε),   G ← G + g²    (Duchi et al. 2011)
    RMSprop   θ ← θ − lr·g / (√v + ε),   v ← ρ v + (1−ρ) g²   (Hinton, lecture 6e)
    Adadelta  θ ← θ − lr·Δ,   Δ = √(u + ε)/√(v + ε) · g        (Zeiler 2012)
    Adam      θ ← θ − lr·m̂ / (√v̂ + ε)                          (Kingma & Ba 2015)

Two options shared by all of them, applied in this order before the rule:

* ``clip_norm``: if the global norm ‖g‖ = √(Σ_p Σ g_p²) over all non-frozen
  parameters exceeds ``clip_norm``, every gradient is scaled *in place* by
  clip_norm / (‖g‖ + 1e-6) (as ``torch.nn.utils.clip_grad_norm_``);
* ``weight_decay`` λ: L2 regularisation added to the gradient, g ← g + λθ
  (as torch's ``weight_decay``; ``p.grad`` itself is left unchanged).

Updates run in place on preallocated per-parameter buffers (``out=``) and keep the
parameter's dtype: scalars such as bias corrections stay Python floats.
"""
import math

from minidl import backend, checks

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "get"]


class Optimizer:
    """Base class. ``step(params)`` updates, ``zero_grad(params)`` resets grads.

    State (momentum buffers, moment estimates, scratch space) is kept per
    Parameter in ``self.state[id(p)]``, created lazily on the parameter's first
    step. Subclasses implement ``update(p, g, state)`` where ``g`` is the
    gradient after clipping and weight decay.
    """

    def __init__(self, lr, *, weight_decay=0.0, clip_norm=None):
        name = type(self).__name__
        self.lr = checks.number(name, "lr", lr, low=0, low_open=True)
        self.weight_decay = checks.number(name, "weight_decay", weight_decay, low=0)
        self.clip_norm = (None if clip_norm is None else
                          checks.number(name, "clip_norm", clip_norm, low=0, low_open=True))
        self.state = {}

    # --- the loop shared by every rule -----------------------------------
    def step(self, params):
        """One update of every non-frozen parameter in ``params``."""
        params = [p for p in params if not p.frozen]
        if self.clip_norm is not None:
            clip_grad_norm(params, self.clip_norm)
        for p in params:
            state = self.state.get(id(p))
            if state is None or state["scratch"].shape != p.shape:  # new (or id reused)
                state = self.state[id(p)] = self._init_state(p)
            self.update(p, self._decayed_grad(p, state), state)

    def _init_state(self, p):
        """Fresh state for ``p``: a scratch buffer, plus the subclass's slots."""
        xp = backend.get_array_module(p.data)
        state = {"t": 0, "scratch": xp.empty_like(p.data)}
        if self.weight_decay:
            state["g"] = xp.empty_like(p.data)
        for slot in self.slots:
            state[slot] = xp.zeros_like(p.data)
        return state

    def _decayed_grad(self, p, state):
        """g + λθ in a buffer of its own (``p.grad`` unchanged), or g when λ = 0."""
        if not self.weight_decay:
            return p.grad
        xp = backend.get_array_module(p.data)
        g = xp.multiply(p.data, self.weight_decay, out=state["g"])
        g += p.grad
        return g

    slots = ()  # names of the zero-initialised state arrays a rule keeps

    def update(self, p, g, state):
        raise NotImplementedError(f"{type(self).__name__} is abstract: subclasses implement "
                                  f"update(p, g, state)")

    @staticmethod
    def zero_grad(params):
        """Reset every parameter's accumulated gradient to zero."""
        for p in params:
            p.zero_grad()

    def to(self, name):
        """Move all state arrays to backend ``name`` ("numpy" or "cupy")."""
        for state in self.state.values():
            for key, value in state.items():
                if hasattr(value, "shape"):
                    state[key] = backend.to_device(value, name)
        return self

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


def clip_grad_norm(params, max_norm):
    """Scale all grads in place so their global L2 norm is at most ``max_norm``.

    ‖g‖ = √(Σ_p ‖g_p‖²); if ‖g‖ > max_norm, g_p ← g_p · max_norm / (‖g‖ + 1e-6).
    The scale min(1, max_norm / (‖g‖ + 1e-6)) is applied to every gradient, computed
    where the gradients live, so clipping never waits for the GPU (one pass per grad).
    Returns ‖g‖ before clipping: a float on NumPy, a 0-d device array on CuPy.
    """
    if not params:
        return 0.0
    xp = backend.get_array_module(params[0].grad)
    total = xp.sqrt(sum(backend.scalar((p.grad * p.grad).sum()) for p in params))   # ‖g‖
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)      # 1 (no change) when ‖g‖ is small
    for p in params:
        p.grad *= scale
    return backend.scalar(total)


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Notes
    -----
    With momentum μ (buffer b, b₁ = g on the first step):

        b ← μ b + g
        θ ← θ − lr · b                 (classical momentum)
        θ ← θ − lr · (g + μ b)         (Nesterov, Sutskever et al. 2013)

    and without momentum simply θ ← θ − lr · g. This is torch.optim.SGD with
    dampening 0.
    """

    def __init__(self, lr, momentum=0.0, nesterov=False, weight_decay=0.0, *, clip_norm=None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.momentum = checks.number("SGD", "momentum", momentum, low=0, high=1, high_open=True)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov={nesterov!r} must be True or False")
        if nesterov and not self.momentum:
            raise ValueError("SGD: nesterov=True needs momentum > 0 (Nesterov is a form of "
                             "momentum), e.g. SGD(lr, momentum=0.9, nesterov=True)")
        self.nesterov = nesterov
        self.slots = ("b",) if momentum else ()

    def update(self, p, g, state):
        xp, s = backend.get_array_module(p.data), state["scratch"]
        state["t"] += 1
        step = g
        if self.momentum:
            b, mu = state["b"], self.momentum
            if state["t"] == 1:
                b[...] = g                                   # b₁ = g
            else:
                b *= mu                                      # b ← μ b + g
                b += g
            step = b
            if self.nesterov:
                step = xp.multiply(b, mu, out=s)             # g + μ b
                step += g
        p.data -= xp.multiply(step, self.lr, out=s)         # θ ← θ − lr · step


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011): a per-coordinate learning rate.

    Notes
    -----
        G ← G + g²                     (sum of squared gradients, G₀ = 0)
        θ ← θ − lr · g / (√G + ε)
    """

    slots = ("G",)

    def __init__(self, lr=0.01, eps=1e-10, *, weight_decay=0.0, clip_norm=None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.eps = checks.number("Adagrad", "eps", eps, low=0, low_open=True)

    def update(self, p, g, state):
        xp, G, s = backend.get_array_module(p.data), state["G"], state["scratch"]
        state["t"] += 1
        G += xp.multiply(g, g, out=s)                        # G ← G + g²
        xp.sqrt(G, out=s)
        s += self.eps                                        # √G + ε
        xp.divide(g, s, out=s)
        s *= self.lr
        p.data -= s                                          # θ ← θ − lr g / (√G + ε)


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera lecture 6e, 2012): divide by a running RMS of g.

    Notes
    -----
        v ← ρ v + (1 − ρ) g²           (v₀ = 0)
        θ ← θ − lr · g / (√v + ε)

    torch.optim.RMSprop calls ρ ``alpha``.
    """

    slots = ("v",)

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8, *, weight_decay=0.0, clip_norm=None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.rho = checks.number("RMSprop", "rho", rho, low=0, high=1, high_open=True)
        self.eps = checks.number("RMSprop", "eps", eps, low=0, low_open=True)

    def update(self, p, g, state):
        xp, v, s = backend.get_array_module(p.data), state["v"], state["scratch"]
        state["t"] += 1
        v *= self.rho                                        # v ← ρ v + (1−ρ) g²
        xp.multiply(g, g, out=s)
        s *= 1.0 - self.rho
        v += s
        xp.sqrt(v, out=s)
        s += self.eps                                        # √v + ε
        xp.divide(g, s, out=s)
        s *= self.lr
        p.data -= s


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012, Algorithm 1): units-correct steps without a learning rate.

    Notes
    -----
    With running averages v of g² and u of Δ² (both start at 0):

        v ← ρ v + (1 − ρ) g²
        Δ = √(u + ε) / √(v + ε) · g    (RMS[Δ]_{t−1} / RMS[g]_t · g)
        u ← ρ u + (1 − ρ) Δ²
        θ ← θ − lr · Δ

    Zeiler's rule is lr = 1; torch.optim.Adadelta adds the lr factor, as here.
    """

    slots = ("v", "u")

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6, *, weight_decay=0.0, clip_norm=None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.rho = checks.number("Adadelta", "rho", rho, low=0, high=1, high_open=True)
        self.eps = checks.number("Adadelta", "eps", eps, low=0, low_open=True)

    def update(self, p, g, state):
        xp, v, u = backend.get_array_module(p.data), state["v"], state["u"]
        delta, rho = state["scratch"], self.rho
        state["t"] += 1
        v *= rho                                             # v ← ρ v + (1−ρ) g²
        v += (1.0 - rho) * (g * g)
        xp.sqrt(u + self.eps, out=delta)                     # Δ = √(u+ε)/√(v+ε) · g
        delta /= xp.sqrt(v + self.eps)
        delta *= g
        u *= rho                                             # u ← ρ u + (1−ρ) Δ²
        u += (1.0 - rho) * (delta * delta)
        delta *= self.lr
        p.data -= delta                                      # θ ← θ − lr Δ


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1): bias-corrected first and second moments.

    Notes
    -----
        m ← β₁ m + (1 − β₁) g          (m₀ = 0)
        v ← β₂ v + (1 − β₂) g²         (v₀ = 0)
        m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
        θ ← θ − lr · m̂ / (√v̂ + ε)

    Computed with the reordering of Kingma & Ba's Section 2, which gives exactly the
    same θ with two Python floats instead of two extra arrays:

        α_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ),   ε̂ = ε · √(1 − β₂ᵗ)
        θ ← θ − α_t · m / (√v + ε̂)
    """

    slots = ("m", "v")

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, *, weight_decay=0.0,
                 clip_norm=None):
        super().__init__(lr, weight_decay=weight_decay, clip_norm=clip_norm)
        self.beta1 = checks.number("Adam", "beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = checks.number("Adam", "beta2", beta2, low=0, high=1, high_open=True)
        self.eps = checks.number("Adam", "eps", eps, low=0, low_open=True)

    def update(self, p, g, state):
        xp, m, v, s = backend.get_array_module(p.data), state["m"], state["v"], state["scratch"]
        b1, b2 = self.beta1, self.beta2
        state["t"] = t = state["t"] + 1
        m *= b1                                              # m ← β₁ m + (1−β₁) g
        m += xp.multiply(g, 1.0 - b1, out=s)
        v *= b2                                              # v ← β₂ v + (1−β₂) g²
        xp.multiply(g, g, out=s)
        s *= 1.0 - b2
        v += s
        root_bc2 = math.sqrt(1.0 - b2 ** t)                  # √(1−β₂ᵗ)
        alpha_t = self.lr * root_bc2 / (1.0 - b1 ** t)       # α_t = lr √(1−β₂ᵗ) / (1−β₁ᵗ)
        xp.sqrt(v, out=s)
        s += self.eps * root_bc2                             # √v + ε̂
        xp.divide(m, s, out=s)
        s *= alpha_t
        p.data -= s


_NAMES = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adadelta": Adadelta, "adam": Adam}


def get(spec, owner="fit"):
    """An Optimizer from ``spec``: an Optimizer (returned as is) or a name such as "adam".

    A name builds that optimizer with its defaults (SGD needs a learning rate, so
    "sgd" means ``SGD(lr=0.01)``). Anything else is refused before any state changes.
    """
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, type) and issubclass(spec, Optimizer):
        raise ValueError(f"{owner}: optimizer={spec.__name__} is the class, not an optimizer: "
                         f"build one, e.g. optimizer={spec.__name__}(lr=...)")
    if isinstance(spec, str) and spec.lower() in _NAMES:
        cls = _NAMES[spec.lower()]
        return cls(lr=0.01) if cls is SGD else cls()
    raise ValueError(f"{owner}: optimizer={spec!r} is not an optimizer: pass an object such as "
                     f"minidl.optimizers.Adam(lr=1e-3) or one of the names {sorted(_NAMES)}")
