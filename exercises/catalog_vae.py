"""The VAE exercise: the reparameterised sample and the closed-form KL, forward and backward.

The student writes ``objective`` and ``backward`` of a subclass of the library's VAE (the
encoder, decoder, loss and the draw of ε are given). The library's VAE, built with the same
sizes and seed and fed the same ε, is the reference: the loss terms, the gradient
[dμ, d log σ²] that backward sends into the encoder, every parameter's grad, and
``minidl.gradcheck.check_gradients`` on the student's objective with ε held fixed.
"""
from minidl import backend, gradcheck

from autoencoders.vae import VAE
from exercises import Exercise
from exercises.catalog_layers import F64
from exercises.grading import Outcome, Stop

SIZES, BETA, SEED = [6, 4, 2], 2.0, 3


def _build(cls, g):
    model = g.run(f"building VAE({SIZES}, beta={BETA}, activation='tanh')", cls, SIZES,
                  beta=BETA, activation="tanh", seed=SEED)
    model.astype(F64)
    return model


def _record_dh(model):
    """Keep what ``backward`` sends into the encoder: [dμ, d log σ²], (B, 2L)."""
    seen, backward = {}, model.encoder.backward

    def recording(dy):
        seen["dh"] = dy.copy()
        return backward(dy)
    model.encoder.backward = recording
    return seen


def _terms(g, out):
    if not (isinstance(out, dict) and {"recon", "kl", "loss"} <= set(out)):
        g.add(Outcome("objective(x) returns {'recon', 'kl', 'loss', ...}", False,
                      note=f"got {type(out).__name__}"))
        raise Stop
    return out


def _vae_part(cls, g):
    x = backend.rng(50).random((5, 6), dtype=F64, xp=backend.xp)
    ref, stu = _build(VAE, g), _build(cls, g)
    for mine, theirs in zip(stu.parameters(), ref.parameters()):
        mine.data = theirs.data.copy()
    ref.reseed(5)
    stu.reseed(5)
    want = ref.objective(x)
    got = _terms(g, g.run("objective(x)", stu.objective, x.copy()))
    B, kl = x.shape[0], float(want["kl"])
    g.compare("recon (BCE summed over pixels, mean over the batch)", float(want["recon"]),
              float(got["recon"]))
    g.compare("kl (β · KL(q(z|x) ‖ N(0, I)))", kl, float(got["kl"]), [
        ("the KL is summed over the batch, not averaged", kl * B),
        ("the KL has the wrong sign: KL = −½ Σ_j (1 + log σ² − μ² − σ²)", -kl),
        ("β is missing from 'kl': report β · KL", kl / BETA)])
    g.compare("loss = recon + β KL", float(want["loss"]), float(got["loss"]))
    seen_ref, seen = _record_dh(ref), _record_dh(stu)
    for p in ref.parameters() + stu.parameters():
        p.zero_grad()
    ref.backward()
    g.run("backward()", stu.backward)
    g.compare("[dμ, d log σ²], what backward sends into the encoder", seen_ref["dh"],
              seen.get("dh"), _dh_mistakes(ref, seen_ref["dh"], B))
    for mine, theirs in zip(stu.parameters(), ref.parameters()):
        g.compare(f"{mine.name}.grad", theirs.grad, mine.grad)
    params = stu.parameters()
    analytic = [p.grad.copy() for p in params]

    def loss():
        stu.reseed(5)                                    # the same ε in every evaluation
        return float(stu.objective(x)["loss"])
    g.gradient_check("gradient check of every parameter against your loss, ε held fixed "
                     "(minidl.gradcheck, float64)",
                     lambda: gradcheck.check_gradients(loss, [p.data for p in params], analytic,
                                                       [p.name or "θ" for p in params]))


def _dh_mistakes(ref, dh, B):
    """The reference [dμ, d log σ²] with one term wrong, from its parts (ref._cache)."""
    mu, std, eps = ref._cache
    xp = backend.get_array_module(dh)
    L = mu.shape[1]
    kl_mu, kl_lv = BETA * mu / B, 0.5 * BETA * (std * std - 1.0) / B
    dz, path_lv = dh[:, :L] - kl_mu, dh[:, L:] - kl_lv           # the decoder's parts
    cat = lambda a, b: xp.concatenate([a, b], axis=1)             # noqa: E731
    return [("the KL gradient is not divided by the batch size: β μ / B, β ½ (σ² − 1) / B",
             cat(dz + kl_mu * B, path_lv + kl_lv * B)),
            ("the KL term is missing from the backward pass", cat(dz, path_lv)),
            ("d log σ² lost the ½ of σ = exp(½ log σ²): dz ⊙ ε ⊙ ½σ",
             cat(dh[:, :L], 2 * path_lv + kl_lv)),
            ("d log σ² ignores the sample's path z = μ + σ ε: add dz ⊙ ε ⊙ ½σ",
             cat(dh[:, :L], kl_lv)),
            ("the KL gradient has the wrong sign", cat(dz - kl_mu, path_lv - kl_lv))]


EXERCISES = [Exercise("vae", "VAE: the reparameterised sample and the closed-form KL, with "
                             "their gradients", "VAE", lambda: [_vae_part])]
