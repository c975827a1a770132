"""Interpolation in latent space: a plain AE vs a VAE (2-D codes).

Walk a straight line between the codes of two test digits of different classes and decode
each point:

    x̂(t) = g((1 − t) z_a + t z_b),   t = 0, 1/9, ..., 1,   z = f(x) (AE) or μ(x) (VAE)

A VAE's decoder was trained on codes z = μ + σ ε spread around every digit's μ, and the KL
term packs those codes together around N(0, I), so there is little empty space between two
digits' codes; an AE's decoder saw only the exact codes of its training digits, and the
line between two codes can cross regions it never saw. Two measurements over 200 pairs:

    evenness         the largest change between consecutive decoded images as a share of
                     the whole path (1/9 ≈ 0.11 for a perfectly even path; larger: a jump)
    endpoint class   the share of the decoded points along the path that the judge (a
                     classifier trained on real digits) labels as one of the two endpoints'
                     classes, rather than as a third digit

The first gap is wide and grows with training: it is the claim. The second is narrower and
shrinks with longer training (on mnist-5k, seed 0: 47.7% vs 42.1% after 8 epochs, 52.4% vs
51.9% after 20), and at the quick setting it is not there at every seed (VAE vs AE at seeds
0-4: 47.7 / 56.6 / 52.1 / 52.3 / 51.4% against 42.1 / 44.9 / 44.4 / 51.9 / 52.5%), so it is
reported, not claimed. Measured honestly, one more number goes the other way: the AE's
midpoints are *sharper*, so the judge is confident about more of them (see the metrics
and the caption).

    python -m examples.interpolation_ae_vae [--epochs 8] [--seed 0] [--full]
"""
import numpy

from minidl import backend, datasets, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, digit_judge, out_path, parse_args, run_alone

TITLE = "Interpolation in an AE vs a VAE"
STEPS, PAIRS = 10, 200


def paths(model, X_a, X_b):
    """Decoded images along the lines from code(x_a) to code(x_b): (STEPS, pairs, D)."""
    z_a = numpy.asarray(backend.to_host(model.encode(X_a)))
    z_b = numpy.asarray(backend.to_host(model.encode(X_b)))
    t = numpy.linspace(0.0, 1.0, STEPS, dtype=numpy.float32)
    return numpy.stack([numpy.asarray(backend.to_host(model.decode((1 - s) * z_a + s * z_b)))
                        for s in t])


def largest_step_share(images):
    """Per pair, max_k ||x̂_{k+1} − x̂_k|| / Σ_k ||x̂_{k+1} − x̂_k||, averaged over pairs."""
    steps = numpy.linalg.norm(numpy.diff(images, axis=0), axis=2)   # (STEPS - 1, pairs)
    return float((steps.max(axis=0) / (steps.sum(axis=0) + 1e-12)).mean())


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8, full_epochs=50)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 512 if args.full else 256, 2]

    # Pairs of test digits of different classes.
    rng = numpy.random.default_rng(backend.derive_seed(args.seed, "pairs"))
    a, b = rng.permutation(len(X_test)), rng.permutation(len(X_test))
    keep = y_test[a] != y_test[b]
    a, b = a[keep][:PAIRS], b[keep][:PAIRS]

    judge = digit_judge(X, y, seed=args.seed)
    models = {"AE": ae.DeepAutoencoder(sizes, code_activation=None, seed=args.seed),
              "VAE": ae.VAE(sizes, seed=args.seed)}
    result, even, endpoint, shown = Result(), {}, {}, []
    for name, model in models.items():
        model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3),
                  seed=args.seed, verbose=0)
        images = paths(model, X_test[a], X_test[b])                  # (STEPS, PAIRS, D)
        inner = images[1:-1].reshape(-1, images.shape[2])
        labels = numpy.asarray(backend.to_host(judge.predict(inner))).reshape(STEPS - 2, -1)
        sure = numpy.asarray(backend.to_host(judge.predict_proba(images[STEPS // 2]))).max(1)
        even[name] = largest_step_share(images)
        endpoint[name] = float(((labels == y_test[a]) | (labels == y_test[b])).mean())
        result.metrics[f"{name}: largest step / path length"] = even[name]
        result.metrics[f"{name}: path points judged as an endpoint's class"] = endpoint[name]
        result.metrics[f"{name}: midpoints the judge is > 90% sure of"] = \
            float((sure > 0.9).mean())
        shown.append((name, images))

    result.claim("the VAE's interpolation changes more evenly than the AE's (largest step as "
                 "a share of the path)", even["VAE"], "<", even["AE"])

    rows, row_labels = [], []
    for pair in range(4):
        for name, images in shown:
            rows.append(images[:, pair])
            row_labels.append(f"{name}, pair {pair + 1}")
    sure_ae, sure_vae = (result.metrics[f"{n}: midpoints the judge is > 90% sure of"]
                         for n in ("AE", "VAE"))
    result.add_figure(viz.rows(rows, row_labels, out_path(args, "interpolation"), shape=shape,
                               n=STEPS, title="straight lines in latent space, decoded"),
                      f"Four pairs of test digits, each interpolated in the AE's and in the "
                      f"VAE's 2-D latent space (left: one digit, right: the other). Over "
                      f"{len(a)} pairs the VAE's paths change more evenly (the claim); the "
                      f"share of path points judged as one of the two endpoints' digits is "
                      f"{endpoint['VAE']:.0%} for the VAE and {endpoint['AE']:.0%} for the AE "
                      f"here, a difference that changes sign between seeds at this scale. The "
                      f"AE's decoded midpoints are "
                      f"sharper, though: the judge is > 90% sure of {sure_ae:.0%} of them, "
                      f"against {sure_vae:.0%} for the VAE's. In four rows the difference "
                      f"is hard to see -- the AE and VAE rows look much alike, and an "
                      f"endpoint is the model's reconstruction, which can be ambiguous: the "
                      f"lesson is in the statistics over the {len(a)} pairs, not in these "
                      f"examples.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
