"""Oja's rule: one linear neuron, trained by a Hebbian rule, finds the first principal component.

A single linear neuron y = w·x sees centred digits x one mini-batch at a time. Hebb's
rule Δw = η y x strengthens the weights of inputs that fire together with the output;
it turns w towards the direction of largest variance, but its length grows without
bound. Oja (1982) adds a decay term that keeps ‖w‖ near 1:

    y = X w                        (B,)     one output per digit of the batch
    Δw = η (Xᵀ y − Σ_b y_b² w) / B          Oja:  η y (x − y w), averaged over the batch

The fixed points with ‖w‖ = 1 are the eigenvectors of the covariance C = E[x xᵀ], and
only the leading one is stable: w converges to ±PC1, and the output's variance to the
largest eigenvalue λ₁. We check it against PCA (an SVD) of the same digits, and run
plain Hebb beside it with the same rate and steps (800 quick).

    python -m examples.oja_rule [--epochs 20] [--seed 0] [--out gallery] [--full]

--full: full MNIST (when present), 2 epochs (1,200 steps: Hebb's ‖w‖ must stay finite).
"""
import numpy

from minidl import backend, datasets, metrics, viz

from examples._common import Result, out_path, parse_args, run_alone

TITLE = "Oja's rule: a Hebbian neuron learns the first principal component"


def train(X, rule, *, epochs, lr, batch_size, seed, pc1):
    """Run ``rule`` ("oja" or "hebb") over mini-batches of X: w and |cos(w, pc1)| per epoch."""
    xp = backend.get_array_module(X)
    w = backend.rng(seed).normal((X.shape[1],), dtype=X.dtype, xp=xp)
    w /= xp.linalg.norm(w)
    order_rng = numpy.random.default_rng(seed)
    cosines = []
    for _ in range(epochs):
        order = order_rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            x = X[order[start:start + batch_size]]                           # (B, D)
            y = x @ w                                                        # (B,)
            hebb = x.T @ y                                                   # Σ_b y_b x_b
            if rule == "oja":
                hebb -= (y @ y) * w                                          # − Σ_b y_b² w
            w += lr / len(x) * hebb
        cosines.append(abs(float(w @ pc1)) / float(xp.linalg.norm(w)))
    return w, cosines


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=20, full_epochs=2)
    X, _ = datasets.load(args.dataset,
                         "train")
    pca = metrics.PCA(2).fit(X)
    X = backend.to_device(X - pca.mean_.astype(X.dtype))                    # centred digits
    pc1 = backend.to_device(pca.components_[0].astype(X.dtype))
    lam1 = float(pca.explained_variance_[0])
    lr = 0.05 / lam1      # Oja is stable while η λ₁ < 1; Hebb's ‖w‖ grows ~ (1 + η λ₁)^steps

    w_oja, cos_oja = train(X, "oja", epochs=args.epochs, lr=lr, batch_size=100,
                           seed=args.seed, pc1=pc1)
    w_hebb, cos_hebb = train(X, "hebb", epochs=args.epochs, lr=lr, batch_size=100,
                             seed=args.seed, pc1=pc1)
    y = X @ w_oja
    output_var = float((y @ y)) / (len(X) - 1)
    norm_oja, norm_hebb = (float(backend.xp.linalg.norm(w)) for w in (w_oja, w_hebb))

    result = Result()
    result.metrics["|cos(w, PC1)| Oja"] = round(cos_oja[-1], 4)
    result.metrics["|cos(w, PC1)| Hebb"] = round(cos_hebb[-1], 4)
    result.metrics["‖w‖ Oja"] = round(norm_oja, 3)
    result.metrics["‖w‖ Hebb"] = float(f"{norm_hebb:.3g}")
    result.metrics["output variance / λ₁ (PCA)"] = round(output_var / lam1, 4)
    result.claim("Oja's weight vector lies along PCA's first component: |cos(w, PC1)| "
                 "vs the 0.99 the theory promises", cos_oja[-1], ">=", 0.99)
    result.claim("the neuron's output variance reaches PCA's largest eigenvalue: "
                 "var(y) / λ₁ vs 0.99", output_var / lam1, ">=", 0.99)
    result.claim("Oja's decay term keeps ‖w‖ at 1: |‖w‖ − 1| vs 0.05", abs(norm_oja - 1), "<=",
                 0.05)
    result.claim("plain Hebb's ‖w‖ explodes with the same rate and steps: ‖w‖ Hebb vs "
                 "100 × ‖w‖ Oja", norm_hebb, ">", 100 * norm_oja)

    shape = datasets.image_shape(args.dataset)
    sign = [1.0 if float(w @ pc1) >= 0 else -1.0 for w in (w_oja, w_hebb)]  # ±PC1 alike
    images = [backend.to_host(pc1)[None], backend.to_host(sign[0] * w_oja)[None],
              backend.to_host(sign[1] * w_hebb / norm_hebb)[None]]
    result.add_figure(viz.rows(images, ["PCA: PC1", "Oja: w", "Hebb: w/‖w‖"],
                               out_path(args, "oja_weights"), n=1, shape=shape),
                      "PCA's first principal axis, the weights Oja's rule learned, and plain "
                      "Hebb's weights rescaled to unit length (each scaled to grey on its own; "
                      "the sign of w is flipped to match PC1's, since ±PC1 are both fixed "
                      "points).")
    result.add_figure(viz.curves({"Oja": cos_oja, "Hebb": cos_hebb},
                                 out_path(args, "oja_cosine"), ylabel="|cos(w, PC1)|",
                                 title="one linear neuron vs PCA"),
                      "How closely the neuron's weight vector points along PC1 after each "
                      "epoch. Hebb turns the same way, but its length grows geometrically.")
    result.report()
    return result


if __name__ == "__main__":
    run_alone(main)
