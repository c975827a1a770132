"""Which autoencoder? Denoising (Vincent et al. 2008) vs contractive (Rifai et al. 2011).

Both make an autoencoder robust, in different places:

    denoising     J = L(x, g(f(x̃))),  x̃ ~ q(x̃ | x)       robust *reconstruction*: it learns
                                                          to undo the corruption q it saw
    contractive   J = L(x, g(f(x))) + λ ||J_f(x)||²_F     robust *codes*: f barely moves when
                                                          x moves a little, in any direction

with ||J_f(x)||²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ij² for a sigmoid encoder h = σ(xW + b).
Three one-layer sigmoid autoencoders of the same size are trained on clean digits: a plain
one, a denoising one (masking noise, ν = 0.3) and a contractive one (λ = 0.5). Two
measurements answer the lecture's question:

1. Test digits with 30% of their pixels masked: the denoising AE, which was trained to
   undo exactly that, restores them best (PSNR against the clean digits).
2. The squared Frobenius norm of the encoder's Jacobian on test digits: the contractive
   AE's codes are the least sensitive; the masking DAE's are not (its robustness lives
   in the reconstruction, not in a small Jacobian).

So: a known corruption to undo → denoising AE; codes that must not move under small
perturbations of the input → contractive AE.

    python -m examples.denoising_vs_contractive [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Which autoencoder? Denoising vs contractive"
MASKING, LAM = 0.3, 0.5


def jacobian_norm(model, X):
    """Mean ||J_f(x)||²_F = Σ_j (h_j (1 − h_j))² Σ_i W_ij² over X, for h = σ(xW + b)."""
    h = model.encode(X)
    W = model.denses[0].W.data
    return float(((h * (1.0 - h)) ** 2 @ (W * W).sum(axis=0)).mean())


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 128]
    models = {
        "plain": ae.DeepAutoencoder(sizes, activation="sigmoid", seed=args.seed),
        "denoising": ae.DenoisingAutoencoder(sizes, noise="masking", level=MASKING,
                                             activation="sigmoid", seed=args.seed),
        "contractive": ae.ContractiveAutoencoder(sizes, lam=LAM, seed=args.seed),
    }
    mask = ae.make_corruption("masking", MASKING,
                              seed=backend.derive_seed(args.seed, "test noise"))
    masked = backend.to_host(mask(backend.to_device(X_test)))

    result, psnr, jac, outputs = Result(), {}, {}, {}
    for name, model in models.items():
        model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=5e-3),
                  seed=args.seed, verbose=0)
        outputs[name] = backend.to_host(model.reconstruct(masked))
        psnr[name] = metrics.psnr(X_test, outputs[name])
        jac[name] = jacobian_norm(model, X_test)
        result.metrics[f"{name} AE: PSNR on masked digits (dB)"] = psnr[name]
        result.metrics[f"{name} AE: PSNR on clean digits (dB)"] = \
            metrics.psnr(X_test, model.reconstruct(X_test))
        result.metrics[f"{name} AE: mean ||J_f(x)||²_F on test digits"] = jac[name]
    result.metrics["masked input: PSNR (dB)"] = metrics.psnr(X_test, masked)

    result.claim("masked digits: the denoising AE restores them better than the contractive "
                 "AE (PSNR dB)", psnr["denoising"], ">", psnr["contractive"])
    result.claim("masked digits: the denoising AE restores them better than the plain AE "
                 "(PSNR dB)", psnr["denoising"], ">", psnr["plain"])
    result.claim("the contractive AE's codes are less sensitive than the denoising AE's "
                 "(mean ||J_f||²_F)", jac["contractive"], "<", jac["denoising"])
    result.claim("the contractive AE's codes are less sensitive than the plain AE's "
                 "(mean ||J_f||²_F)", jac["contractive"], "<", jac["plain"])

    result.add_figure(viz.rows([X_test, masked] + [outputs[n] for n in models],
                               ["clean", "30% masked", "plain AE", "denoising AE",
                                "contractive AE"],
                               out_path(args, "denoising_vs_contractive"), shape=shape,
                               title="restoring masked digits"),
                      "Clean test digits, the same digits with 30% of their pixels set to 0, "
                      "and the outputs of the plain, denoising (trained on that masking) and "
                      "contractive autoencoders for the masked input.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
