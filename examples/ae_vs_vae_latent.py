"""AE vs VAE latent space, and what each term of the ELBO does (an ablation).

The VAE's objective per digit has two terms (Kingma & Welling 2014):

    J = Σ_pixels BCE(g(z), x)  +  KL(q(z|x) || N(0, I)),      z = μ(x) + σ(x) ⊙ ε
        reconstruction            regulariser

Four models with a 2-D code, trained on the same digits, take the objective apart:

    AE                 reconstruction only, deterministic code z = f(x)
    VAE                both terms
    KL-only VAE        the KL term alone (the reconstruction is measured, never trained on)
    recon-only VAE     the reconstruction term alone (β = 0)

What each one shows, measured on test digits:

- The KL term alone drives q(z|x) to N(0, I) for every x: the code carries no information
  about the digit, so a linear probe on the sampled codes is at chance (10%).
- The reconstruction term alone lets the codes go wherever reconstruction likes: the
  encoder's q(z|x) ends far from N(0, I) (a large KL), like a plain AE's codes.
- Both together give a latent space that matches the prior: the test digits' codes are
  spread like N(0, I) (a Gaussian fitted to them is close to it), while the AE's codes fill
  another, larger region. So decoding z ~ N(0, I) gives the VAE's digits of many classes
  (labelled by the judge, a classifier trained on real digits), and the AE's decoder, asked
  about a small patch of its code space, answers with few.

    python -m examples.ae_vs_vae_latent [--epochs 4] [--seed 0] [--full]

--full: full MNIST, 512 hidden units, 15 epochs per model. With the 50 it used to train,
the four models had not finished after 16 minutes on one BLAS thread of the shared 2-core
machine (2026-12-03). 15 is sized from that and from ae_codes_2d's --full pace, about 5 s
an epoch for its 784-256-64-2 model on full MNIST; it has not been timed yet.
"""
import numpy

from minidl import backend, datasets, losses, metrics, viz
from minidl.optimizers import Adam

import autoencoders as ae
from examples._common import Result, digit_judge, out_path, parse_args, run_alone

TITLE = "AE vs VAE latent space; what each term of the ELBO does"
CHANCE = 0.10


class MeasuredOnly(losses.BCEWithLogits):
    """BCE whose value is reported but whose gradient is zero: the KL-only ablation."""

    def backward(self):
        return super().backward() * 0.0


class KLOnlyVAE(ae.VAE):
    """A VAE trained on the KL term alone: J = KL(q(z|x) || N(0, I))."""

    def __init__(self, sizes, *, seed=None):
        super().__init__(sizes, seed=seed)
        self.loss = MeasuredOnly(reduction="batch")


def sampled_codes(model, X, rng):
    """z = μ + σ ⊙ ε for each row of X (the code the decoder is trained on); the AE: f(x)."""
    if not isinstance(model, ae.VAE):
        return numpy.asarray(backend.to_host(model.encode(X)))
    mu, logvar = (numpy.asarray(backend.to_host(a)) for a in model.encode_distribution(X))
    return mu + numpy.exp(0.5 * logvar) * rng.standard_normal(mu.shape).astype(mu.dtype)


def kl_to_prior(model, X):
    """Mean KL(q(z|x) || N(0, I)) over X, in nats: how far the encoder is from the prior."""
    mu, logvar = (numpy.asarray(backend.to_host(a), numpy.float64)
                  for a in model.encode_distribution(X))
    return float((-0.5 * (1.0 + logvar - mu * mu - numpy.exp(logvar))).sum(axis=1).mean())


def gaussian_fit_kl(Z):
    """KL(N(m, S) || N(0, I)) for the mean m and covariance S of the codes Z (N, L):
    ½ (tr S + mᵀm − L − log det S). 0 when the codes are spread exactly like the prior."""
    Z = numpy.asarray(Z, numpy.float64)
    m, S = Z.mean(axis=0), numpy.cov(Z, rowvar=False)
    return float(0.5 * (numpy.trace(S) + m @ m - Z.shape[1] - numpy.linalg.slogdet(S)[1]))


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=4, full_epochs=15)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    sizes = [X.shape[1], 512 if args.full else 256, 2]
    models = {
        "AE": ae.DeepAutoencoder(sizes, code_activation=None, seed=args.seed),
        "VAE": ae.VAE(sizes, seed=args.seed),
        "KL-only VAE": KLOnlyVAE(sizes, seed=args.seed),
        "recon-only VAE": ae.VAE(sizes, beta=0.0, seed=args.seed),
    }
    judge = digit_judge(X, y, seed=args.seed)
    rng = numpy.random.default_rng(backend.derive_seed(args.seed, "codes"))
    prior_z = rng.standard_normal((1000, 2)).astype(numpy.float32)

    result, probe, fit_kl, kl, classes, samples = Result(), {}, {}, {}, {}, {}
    for name, model in models.items():
        model.fit(X, epochs=args.epochs, batch_size=64, optimizer=Adam(lr=2e-3),
                  seed=args.seed, verbose=0)
        Z_test = sampled_codes(model, X_test, rng)
        probe[name] = metrics.linear_probe(sampled_codes(model, X, rng), y, Z_test, y_test,
                                           epochs=10, seed=args.seed)
        samples[name] = numpy.asarray(backend.to_host(model.decode(prior_z)))
        labels = numpy.asarray(backend.to_host(judge.predict(samples[name])))
        fit_kl[name] = gaussian_fit_kl(Z_test)
        result.metrics[f"{name}: linear probe on sampled test codes"] = probe[name]
        result.metrics[f"{name}: KL(Gaussian fit of the test codes || N(0, I))"] = fit_kl[name]
        classes[name] = len(numpy.unique(labels))
        result.metrics[f"{name}: classes among decoded N(0, I) samples"] = classes[name]
        if isinstance(model, ae.VAE):
            kl[name] = kl_to_prior(model, X_test)
            result.metrics[f"{name}: KL(q(z|x) || N(0, I)) (nats per digit)"] = kl[name]
        slug = name.lower().replace(" ", "_").replace("-", "_")
        result.add_figure(viz.codes_2d(Z_test, y_test, out_path(args, f"codes_{slug}"),
                                       title=f"{name}: codes of test digits"),
                          f"The 2-D codes of the test digits under the {name}, coloured by "
                          f"digit (sampled z = μ + σε for the VAEs).")

    result.claim("KL term alone: the codes carry nothing about the digit (linear probe "
                 "accuracy, vs chance + 5 points)", probe["KL-only VAE"], "<", CHANCE + 0.05)
    result.claim("KL term alone: the probe is far below the full VAE's (accuracy)",
                 probe["KL-only VAE"], "<", probe["VAE"])
    result.claim("reconstruction term alone: q(z|x) ends far from N(0, I) (KL, nats) compared "
                 "with the full VAE", kl["recon-only VAE"], ">", kl["VAE"])
    result.claim("the VAE's codes are spread like the prior N(0, I), the AE's are not (KL of a "
                 "Gaussian fit to the test codes, nats)", fit_kl["VAE"], "<", fit_kl["AE"])
    result.claim("so decoding z ~ N(0, I) gives the VAE's digits of more classes than the AE's "
                 "(classes the judge finds among 1,000 samples)", classes["VAE"], ">",
                 classes["AE"])

    result.add_figure(viz.rows([samples[n] for n in models], list(models),
                               out_path(args, "prior_samples"), shape=shape,
                               title="decoding z ~ N(0, I)"),
                      "The same ten draws z ~ N(0, I) decoded by each model. The VAE's decoder "
                      "was trained on codes spread like the prior; the AE's and the "
                      "recon-only VAE's codes live elsewhere, so N(0, I) covers a patch of few "
                      "classes; the KL-only VAE's decoder learned nothing (its code carries no "
                      "information), a grey image whatever z.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
