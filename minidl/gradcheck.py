"""Numerical gradients, and the checks that prove each hand-written backward pass.

Central differences:   df/dθ_i ≈ (f(θ + ε e_i) − f(θ − ε e_i)) / 2ε,
with an error of O(ε²) from truncation plus O(u·|f|/ε) from rounding (u ≈ 1e-16
in float64), so checks run in float64 with ε ≈ 1e-6.

To check a layer we reduce its output to a scalar with a *random* upstream
gradient, f(x, θ) = Σ y(x, θ) ⊙ dy, so every output element matters and a wrong
transpose or a swapped axis cannot hide behind symmetry. The analytic gradient is
then ``backward(dy)`` itself: dx and every parameter's grad.

Agreement is judged by the relative error of UFLDL's exercise,
    ‖a − n‖ / (‖a‖ + ‖n‖),
with a small absolute floor for gradients that are (nearly) zero.
"""
import math

from minidl import backend

#: f's rounding error in units of the magnitudes it sums: 16 ulps of float64 (u = 2⁻⁵²).
_ROUNDING = 16 * 2.0 ** -52


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function ``f()`` w.r.t. array ``x``.

    ``f`` takes no arguments: it must read ``x``, which is perturbed *in place*
    one element at a time and restored afterwards. It may return a float or a 0-d
    array on x's device: nothing here waits for the device, so on a GPU the whole
    gradient costs no host sync (the check that compares it costs one).
    """
    xp = backend.get_array_module(x)
    grad = xp.zeros(x.shape, dtype=backend.float64)
    if not x.flags.c_contiguous:
        raise ValueError("numerical_gradient perturbs x in place through a flat view: "
                         "pass a C-contiguous array (x = xp.ascontiguousarray(x))")
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(x.size):
        old = flat[i].copy()                  # a scalar, kept where x is
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _norms(a, n):
    """‖a − n‖, ‖a‖, ‖n‖ as a (3,) array on a's device (no host sync)."""
    xp = backend.get_array_module(a)
    return xp.stack([xp.linalg.norm(a - n), xp.linalg.norm(a), xp.linalg.norm(n)])


def _relative_error(a, n):
    diff, norm_a, norm_n = backend.to_host(_norms(a, n)).tolist()        # one host sync
    return diff, norm_a + norm_n


def assert_close_gradient(analytic, numeric, name, *, rtol=1e-7, atol=1e-9, floor=0.0):
    """Raise AssertionError unless ‖a − n‖ <= max(atol, floor) + rtol (‖a‖ + ‖n‖).

    ``floor`` is the numerical gradient's own rounding error (see :func:`check_gradients`).
    The message names the gradient, the relative error, the worst element with
    both values, and the tolerances.
    """
    xp = backend.get_array_module(analytic)
    a = xp.asarray(analytic, dtype=backend.float64)
    n = backend.to_device(numeric, backend.name_of(xp), dtype=backend.float64)
    if a.shape != n.shape:
        raise AssertionError(f"gradient {name}: analytic shape {a.shape} != numeric shape {n.shape}")
    diff, scale = _relative_error(a, n)
    if not math.isfinite(diff) or diff > max(atol, floor) + rtol * scale:
        flat = int(xp.argmax(xp.abs(a - n))) if a.size else 0
        worst = tuple(int(i) for i in xp.unravel_index(flat, a.shape)) if a.ndim else ()
        raise AssertionError(
            f"gradient check failed for {name} (shape {a.shape}):\n"
            f"  relative error ‖a−n‖/(‖a‖+‖n‖) = {diff / max(scale, 1e-300):.3e}, "
            f"absolute ‖a−n‖ = {diff:.3e}\n"
            f"  worst element {worst}: analytic {float(a[worst])!r}, "
            f"numeric {float(n[worst])!r}\n"
            f"  tolerances: rtol={rtol:g}, atol={atol:g}"
            + (f", rounding floor {floor:.3g} (16 ulps of |f| over eps)" if floor > atol
               else ""))
    return diff / max(scale, 1e-300)


def check_gradients(f, arrays, analytic, names, *, eps=1e-6, rtol=1e-7, atol=1e-9,
                    directional=False, seed=0, f_scale=None):
    """Compare the analytic gradients of scalar ``f()`` with numerical ones.

    Parameters
    ----------
    f : callable with no arguments, returns a float (or a 0-d array on the arrays'
        device) computed from ``arrays``.
    arrays : list of float64 arrays that ``f`` reads (perturbed in place).
    analytic : list of arrays, the claimed df/d(array), same shapes.
    names : list of str, used in failure messages.
    directional : if True, check one random unit direction u over all arrays at
        once -- two evaluations of f instead of two per element, for large inputs:
        (f(θ + εu) − f(θ − εu)) / 2ε  against  Σ_i ⟨a_i, u_i⟩.
    f_scale : the sum of the magnitudes of the terms f adds up (f's rounding error is
        about u·f_scale); the check asks no more of each difference quotient than 16 times
        that over ε -- for an array of m elements, √m times that of its norm. Default |f|
        at the given point, which cancellation can make too small (then pass it).

    Returns the largest relative error seen; raises AssertionError on failure.
    The comparison copies every gradient's norms to the host together: one host sync
    per check on a GPU (a failure's message costs a few more).
    """
    for arr, name in zip(arrays, names):
        if arr.dtype != backend.float64:
            raise TypeError(f"gradient check of {name} needs float64 arrays, got {arr.dtype}: "
                            f"cast the layer with .astype(backend.float64) first")
    if directional:
        return _check_directional(f, arrays, analytic, names, eps, rtol, atol, seed,
                                  f_scale)
    numeric = [numerical_gradient(f, arr, eps) for arr in arrays]
    if f_scale is None:
        f_scale = abs(f())          # the perturbed values differ from it by O(ε)
    xp = backend.get_array_module(arrays[0])
    pairs = [(xp.asarray(a, dtype=backend.float64), n) for a, n in zip(analytic, numeric)]
    if any(a.shape != n.shape for a, n in pairs):
        bad = next(i for i, (a, n) in enumerate(pairs) if a.shape != n.shape)
        assert_close_gradient(analytic[bad], numeric[bad], names[bad])   # says which
    # Each quotient carries f's rounding error over ε, about u·S/ε (S: the magnitudes f
    # sums; module docstring), whatever the derivative's size: a correct GaussianRBM
    # hbias gradient of 7.7e-4 came out 1.5e-9 off with |f| = 11.4, past atol + rtol·|g|
    # = 1.2e-9. The floor 16u·S/ε per element (√m of it for the norm of m) joins atol.
    # Every gradient's three norms and the floors go to the host in one copy: one sync.
    floors = [_ROUNDING * f_scale / eps * math.sqrt(n.size) for n in numeric]
    rows = [xp.concatenate([_norms(a, n), xp.asarray(fl, dtype=backend.float64).reshape(1)])
            for (a, n), fl in zip(pairs, floors)]
    norms = backend.to_host(xp.stack(rows)).tolist() if rows else []
    worst = 0.0
    for (diff, norm_a, norm_n, floor), grad, num, name in zip(norms, analytic, numeric, names):
        scale = norm_a + norm_n
        if not math.isfinite(diff) or diff > max(atol, floor) + rtol * scale:
            assert_close_gradient(grad, num, name, rtol=rtol, atol=atol, floor=floor)
        worst = max(worst, diff / max(scale, 1e-300))
    return worst


def _check_directional(f, arrays, analytic, names, eps, rtol, atol, seed, f_scale):
    gen = backend.rng(seed)
    dirs = [gen.normal(a.shape, dtype=backend.float64, xp=backend.get_array_module(a))
            for a in arrays]
    xp = backend.get_array_module(arrays[0])
    norm = xp.sqrt(sum(backend.scalar((d * d).sum()) for d in dirs))
    dirs = [d / norm for d in dirs]
    for a, d in zip(arrays, dirs):
        a += eps * d
    f_plus = f()
    for a, d in zip(arrays, dirs):
        a -= 2 * eps * d
    f_minus = f()
    for a, d in zip(arrays, dirs):
        a += eps * d
    numeric = xp.asarray((f_plus - f_minus) / (2 * eps))
    claimed = xp.asarray(sum(backend.scalar((g * d).sum()) for g, d in zip(analytic, dirs)))
    # One number has no norm to hide behind: when u is nearly orthogonal to the gradient
    # the derivative is tiny, and the quotient's rounding error, about u·S/ε where S is the
    # sum of the magnitudes f adds up (module docstring), exceeded atol + rtol·|derivative|
    # for a correct Dense (5e-9 against -0.0072 with |f| = 27; against -0.00057 with
    # |f| < 1, so |f| alone is no measure of S). That floor joins atol.
    if f_scale is None:
        f_scale = (abs(f_plus) + abs(f_minus)) / 2
    floor = _ROUNDING * f_scale / eps
    c, n, fl = backend.to_host(xp.stack([claimed, numeric, xp.asarray(floor)])).tolist()
    name = "directional derivative of " + ", ".join(names)
    diff, scale = abs(c - n), abs(c) + abs(n)
    if not math.isfinite(diff) or diff > max(atol, fl) + rtol * scale:
        assert_close_gradient(claimed, numeric, name, rtol=rtol, atol=atol, floor=fl)
    return diff / max(scale, 1e-300)


def check_layer(layer, x, *, training=False, seed=0, eps=1e-6, rtol=1e-7, atol=1e-9,
                directional=False, check_input=True):
    """Gradient-check ``layer.backward`` at input ``x``: dx and every parameter.

    The layer is cast to float64 *in place* (build a fresh one for the check).
    A random upstream gradient dy ~ N(0, 1) reduces the output to the scalar
    f = Σ y ⊙ dy. Stochastic layers are re-seeded before every forward pass
    (``layer.reseed(seed)``) so the noise is identical in each evaluation.

    Also asserts that backward leaves ``dy`` and the input unchanged.
    Raises AssertionError with the worst element, both values and the tolerances.
    """
    layer.astype(backend.float64)
    xp = backend.get_array_module(x)
    x = xp.array(x, dtype=backend.float64)

    def run(inp):
        layer.reseed(seed)
        return layer.forward(inp, training=training)

    y = run(x)
    dy = backend.rng(backend.derive_seed(seed, "upstream gradient")).normal(
        y.shape, dtype=backend.float64, xp=xp)
    params = layer.parameters()
    for p in params:
        p.zero_grad()
    x_before, dy_before = x.copy(), dy.copy()
    dx = layer.backward(dy)
    dy_kept, x_kept = backend.to_host(xp.stack([xp.array_equal(dy, dy_before),
                                                 xp.array_equal(x, x_before)])).tolist()
    if not dy_kept:
        raise AssertionError(f"{layer!r}.backward() modified the upstream gradient dy in place")
    if not x_kept:
        raise AssertionError(f"{layer!r}.backward() modified the cached input x in place")
    if dx.shape != x.shape:
        raise AssertionError(f"{layer!r}.backward() returned dx of shape {dx.shape}, "
                             f"expected the input's shape {x.shape}")

    def f():
        return backend.scalar((run(x) * dy).sum())

    arrays = [p.data for p in params]
    analytic = [p.grad.copy() for p in params]
    names = [p.name or f"parameter {i}" for i, p in enumerate(params)]
    if check_input:
        arrays, analytic, names = [x] + arrays, [dx] + analytic, ["dx"] + names
    f_scale = backend.scalar(xp.abs(y * dy).sum())     # the terms f = Σ y ⊙ dy adds up
    return check_gradients(f, arrays, analytic, names, eps=eps, rtol=rtol, atol=atol,
                           directional=directional, seed=seed, f_scale=f_scale)
