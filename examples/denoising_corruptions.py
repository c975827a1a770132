"""Denoising autoencoders, one per corruption, side by side (Vincent et al. 2008, 2010).

A denoising AE learns g(f(x̃)) ≈ x from a corrupted x̃ ~ q(x̃ | x); the corruption q is the
designer's choice, and the lecture names four:

    gaussian          x̃ = x + σ ε, ε ~ N(0, I)                        (σ = 0.5)
    masking           each pixel set to 0 with probability ν           (ν = 0.5)
    salt-and-pepper   each pixel set to 0 or 1 with probability ν      (ν = 0.3)
    dropout           x̃ = x ⊙ m / (1 − ν), m_i ~ Bernoulli(1 − ν)      (ν = 0.5)

One denoising AE is trained per corruption, and a plain AE of the same size on clean
digits is the baseline. Each is then handed test digits corrupted the same way and
judged by PSNR against the clean digits. The lesson: for every corruption, the AE that
was trained to undo it restores the digits better than the plain AE given the same
input, and better than leaving the corrupted input alone.

    python -m examples.denoising_corruptions [--epochs 8] [--seed 0] [--full]
"""
from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Denoising: each corruption side by side"
CORRUPTIONS = {"gaussian": 0.5, "masking": 0.5, "salt-and-pepper": 0.3, "dropout": 0.5}


def train(model, X, args):
    return model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3),
                     seed=args.seed, verbose=0)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    X, _ = datasets.load(args.dataset, "train")
    X_test, _ = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 256 if args.full else 128]

    plain = train(ae.DeepAutoencoder(sizes, activation="relu", seed=args.seed), X, args)
    result, rows, labels = Result(), [X_test], ["clean"]
    for noise, level in CORRUPTIONS.items():
        corrupt = ae.make_corruption(noise, level,
                                     seed=backend.derive_seed(args.seed, "test noise", noise))
        noisy = backend.to_host(corrupt(backend.to_device(X_test)))
        dae = train(ae.DenoisingAutoencoder(sizes, noise=noise, level=level, activation="relu",
                                            seed=args.seed), X, args)
        restored = backend.to_host(dae.reconstruct(noisy))
        psnr = {"corrupted input": metrics.psnr(X_test, noisy.clip(0, 1)),
                "plain AE": metrics.psnr(X_test, plain.reconstruct(noisy)),
                "denoising AE": metrics.psnr(X_test, restored)}
        for who, value in psnr.items():
            result.metrics[f"PSNR vs clean (dB), {noise} {level}: {who}"] = value
        result.claim(f"{noise} (level {level}): the DAE trained on it restores better than "
                     f"the plain AE (PSNR dB)", psnr["denoising AE"], ">", psnr["plain AE"])
        result.claim(f"{noise}: the DAE's output is closer to the clean digit than its "
                     f"corrupted input (PSNR dB)", psnr["denoising AE"], ">",
                     psnr["corrupted input"])
        rows += [noisy.clip(0, 1), restored, backend.to_host(plain.reconstruct(noisy))]
        labels += [f"{noise}", "→ its DAE", "→ plain AE"]

    result.add_figure(viz.rows(rows, labels, out_path(args, "denoising_corruptions"),
                               shape=shape, title="four corruptions, four denoising AEs"),
                      "Top: clean test digits. Then, for each corruption (gaussian σ = 0.5, "
                      "masking ν = 0.5, salt-and-pepper ν = 0.3, dropout ν = 0.5), the "
                      "corrupted input, the output of the denoising AE trained on that "
                      "corruption, and the plain AE's output for the same input.")
    for key, value in result.metrics.items():
        print(f"{key}: {value:.2f}")
    return result


if __name__ == "__main__":
    run_alone(main)
