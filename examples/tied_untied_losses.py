"""Two design choices of an autoencoder: tied weights (W' = Wᵀ), and MSE vs cross-entropy.

Tied weights. The decoder re-uses the encoder's weight transposed,

    h = relu(x W + b),    x̂ = h Wᵀ + c        (untied: x̂ = h W' + c with its own W')

so the model has half the weights. The fair comparison is at the same budget: a tied AE
with a 32-unit code has as many parameters as an untied AE with a 16-unit code, and the
lesson is that tying buys the wider code and the better reconstruction.

The reconstruction loss, for pixels x in [0, 1] and decoder output z:

    MSE   L = mean (x̂ − x)²,                 x̂ = z          (a Gaussian decoder)
    BCE   L = mean −x log x̂ − (1 − x) log(1 − x̂),  x̂ = σ(z)  (a Bernoulli decoder)

Both are minimised by the conditional mean, but cross-entropy punishes a confident wrong
pixel without bound, so its reconstructions commit to black or white: fewer grey pixels
(0.2 < x̂ < 0.8), i.e. sharper digits. A classifier trained on real digits (the judge)
then tells whether the sharper digits are also more recognisable.

    python -m examples.tied_untied_losses [--epochs 8] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, digit_judge, out_path, parse_args, recognised, run_alone

TITLE = "Tied vs untied weights, MSE vs cross-entropy"


def grey_fraction(images):
    """Share of pixels neither black nor white (0.2 < x < 0.8): how blurred images are."""
    images = numpy.asarray(backend.to_host(images))
    return float(((images > 0.2) & (images < 0.8)).mean())


def n_weights(model):
    """Number of weights (matrix entries, biases excluded) in the model's unique Parameters."""
    return sum(p.data.size for p in model.parameters() if p.data.ndim == 2)


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    D, K = X.shape[1], 32
    models = {
        "untied, BCE": ae.DeepAutoencoder([D, K], loss="bce", seed=args.seed),
        "tied, BCE": ae.DeepAutoencoder([D, K], loss="bce", tied=True, seed=args.seed),
        "untied half code, BCE": ae.DeepAutoencoder([D, K // 2], loss="bce", seed=args.seed),
        "untied, MSE": ae.DeepAutoencoder([D, K], loss="mse", seed=args.seed),
    }
    judge = digit_judge(X, y, seed=args.seed)
    result, outputs, test_bce = Result(), {}, {}
    for name, model in models.items():
        model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3),
                  seed=args.seed, verbose=0)
        outputs[name] = numpy.clip(backend.to_host(model.reconstruct(X_test)), 0.0, 1.0)
        R = numpy.clip(outputs[name], 1e-6, 1.0 - 1e-6)
        test_bce[name] = float(-(X_test * numpy.log(R) + (1 - X_test) * numpy.log(1 - R)).mean())
        result.metrics[f"{name}: parameters"] = sum(p.data.size for p in model.parameters())
        result.metrics[f"{name}: test BCE per pixel"] = test_bce[name]
        result.metrics[f"{name}: test PSNR (dB)"] = metrics.psnr(X_test, outputs[name])
        result.metrics[f"{name}: grey pixels"] = grey_fraction(outputs[name])
        result.metrics[f"{name}: judge accuracy"] = recognised(judge, outputs[name], y_test)
    result.metrics["test digits: grey pixels"] = grey_fraction(X_test)

    untied, tied = models["untied, BCE"], models["tied, BCE"]
    result.claim("tying the decoder to the encoder halves the weights (count)",
                 n_weights(tied), "<=", n_weights(untied) / 2)
    result.claim("at the same parameter budget, the tied AE (32-unit code) reconstructs better "
                 "than an untied one with a 16-unit code (test BCE per pixel)",
                 test_bce["tied, BCE"], "<", test_bce["untied half code, BCE"])
    result.claim("cross-entropy gives sharper digits than MSE (share of grey pixels)",
                 grey_fraction(outputs["untied, BCE"]), "<", grey_fraction(outputs["untied, MSE"]))

    bce, mse = (result.metrics[f"untied, {k}: judge accuracy"] for k in ("BCE", "MSE"))
    result.add_figure(viz.rows([X_test] + [outputs[n] for n in models], ["test digits"] +
                               list(models), out_path(args, "tied_untied_losses"), shape=shape,
                               title="reconstructions of test digits"),
                      f"Test digits and the reconstructions of the four autoencoders. The tied "
                      f"AE has {result.metrics['tied, BCE: parameters']} parameters, the "
                      f"untied one {result.metrics['untied, BCE: parameters']}. The BCE "
                      f"reconstructions are sharper than the MSE ones (fewer grey pixels); "
                      f"the judge recognises {bce:.1%} (BCE) and {mse:.1%} (MSE) of them: "
                      f"sharper, but not clearly more recognisable.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
