"""Rows 1, 2, 3, 7, 8 and 9 of the papers table: autoencoders and the baselines.

Each ``row_<n>(ctx)`` returns ``{"results": [outcome, ...], "recipe": str, "details": {}}``;
``ctx`` (see :mod:`benchmarks.papers.runner`) gives the scale, the data, the stages
and ``ctx.sides(name)``, which runs the minidl and PyTorch sides of
:mod:`benchmarks.papers.sides` in their own processes.
"""
import numpy

from benchmarks.papers.verdict import outcome

KERAS = "Chollet, 'Building Autoencoders in Keras' (Keras blog, 2016; updated text)"


def _sides_row(ctx, name, label, metric, paper, target, torch_within):
    sides = ctx.stages.value("sides", lambda: ctx.sides(name))
    m, t = sides.get("minidl", {}), sides.get("torch", {})
    res = outcome(label, metric, m.get("value"), paper=paper[0], source=paper[1],
                  target=target, pytorch=t.get("value"), torch_within=torch_within,
                  note=paper[2] if len(paper) > 2 else "")
    return res, sides


def row_1(ctx):
    from benchmarks.papers.sides import SETTINGS
    epochs, batch = SETTINGS["ae_784_32"][ctx.scale]
    res, sides = _sides_row(
        ctx, "ae_784_32", "784-32-784 AE", "test BCE / pixel",
        (0.09, KERAS + ": 'about 0.09' with Adam; 0.11 with Adadelta in the 2016 text"),
        ("<=", 0.09), 0.03)
    return {"results": [res], "details": sides, "recipe": (
        f"784-32 ReLU code, logits + BCE (sigmoid output), Glorot init, Adam 1e-3, batch "
        f"{batch}, {epochs} epochs on all training digits (the tutorial's fixed count, so "
        f"no early stopping); both sides in their own process")}


def row_2(ctx):
    from benchmarks.papers.sides import SETTINGS
    epochs, batch = SETTINGS["ae_deep"][ctx.scale]
    res, sides = _sides_row(
        ctx, "ae_deep", "784-128-64-32 deep AE", "test BCE / pixel",
        (0.08, KERAS + ": 0.097 in the 2016 text, about 0.08 in the updated one"),
        ("<=", 0.08), 0.03)
    return {"results": [res], "details": sides, "recipe": (
        f"784-128-64-32-64-128-784 ReLU, logits + BCE, Adam 1e-3, batch {batch}, {epochs} "
        f"epochs on all training digits; both sides in their own process")}


def row_8(ctx):
    from benchmarks.papers.sides import SETTINGS
    epochs, batch = SETTINGS["vae"][ctx.scale]
    res, sides = _sides_row(
        ctx, "vae", "VAE 784-400-20", "test −ELBO (nats)",
        (100.0, "Kingma & Welling 2014, Fig. 2 (MNIST, N_z = 20; read off the curve: about "
                "100 nats after ~10^8 training samples)"), None, None)
    return {"results": [res], "details": sides, "recipe": (
        f"Gaussian encoder 784-400(ReLU)-2x20, Bernoulli decoder 20-400(ReLU)-784, one "
        f"sample of z, Adam 1e-3, batch {batch}, {epochs} epochs on all training digits "
        f"(the paper: Adagrad, 500 hidden tanh units, far longer); −ELBO of the test set "
        f"with one sample of z; both sides in their own process")}


ROW3 = {"full": (50, 128), "quick": (2, 128), "tiny": (1, 128)}


def row_3(ctx):
    import autoencoders as ae
    from minidl.optimizers import Adam
    from minidl.training import fit
    epochs, batch = ROW3[ctx.scale]
    data = ctx.data()

    def train(model):
        h = fit(model, data.X_all, epochs=epochs, batch_size=batch, optimizer=Adam(1e-3), seed=0,
                verbose=ctx.verbose)
        return {"final_train_loss": h.history["loss"][-1], "epochs": len(h.epoch)}

    model, info = ctx.stages.model("conv_ae", ae.ConvAutoencoder("lecture", seed=0), train)
    value = ctx.stages.value("test", lambda: float(model.evaluate(data.X_test)["recon"]))
    res = outcome("conv AE 16-8-8", "test BCE / pixel", value, paper=0.094,
                  source=KERAS + ": 'converges to a loss of 0.094'", target=("<=", 0.094))
    return {"results": [res], "details": info, "recipe": (
        f"the lecture's conv AE (Conv 16-8-8 3x3 + ReLU + max-pool 2, mirrored with "
        f"up-sampling; logits + BCE), Adam 1e-3, batch {batch}, {epochs} epochs on all "
        f"training digits")}


#: ``epochs``: the first stage, k lowered from 100 over its first half; ``more_epochs``: a
#: second stage that goes on from the first stage's model at the final k (its own SGD, so
#: momentum restarts). The full scale's 300 + 300 is "k from 100 down to k over the first
#: 150 of 600 epochs". The 300 more were chosen on the validation split: the best probe
#: validation error fell from 1.92 to 1.84% (k = 25), 2.20 to 1.98 (10), 2.30 to 2.20 (40)
#: and 3.00 to 2.88% (70) with the constant-rate probe, 1.82 to 1.70% (k = 25) with the
#: decaying one. (Test errors: 1.61 to 1.70, 1.83 to 2.10, 2.08 to 2.13 and 2.36 to 2.68%
#: with the constant-rate probe, 1.50 to 1.60 (k = 25) and 1.87 to 1.99% (10) with the
#: decaying one: on the test set the longer training did not help. Validation digits share
#: the training digits' writers and test digits do not, which may be why.)
#: Those models trained on the 50,000 digits of the training split. With the length fixed
#: by that split, the row's AE now trains on all 60,000 (as the paper's, recalled, and as
#: row 5's refit): measured once with the decaying probe, k = 25 gave 1.49% after 300 epochs
#: and 1.34% after 600, k = 10 1.75 and 1.62%, against 1.50 / 1.60 and 1.87 / 1.99% from
#: the 50,000: the 10,000 more digits matter more than the epochs.
ROW7 = {"full": dict(epochs=300, more_epochs=300, hidden=1000, probe_epochs=30,
                     ks=(25, 10, 40, 70)),
        "quick": dict(epochs=4, more_epochs=2, hidden=1000, probe_epochs=10, ks=(25,)),
        "tiny": dict(epochs=2, more_epochs=1, hidden=200, probe_epochs=2, ks=(25, 10))}

#: The paper's headline k; its figure (1.35%) is the one recalled here. The sweep's other
#: k are reported beside it with no paper figure: their values in the paper's table are
#: not recalled with confidence, so none is printed rather than a guess.
ROW7_K = 25

#: The paper's optimiser as recalled (section 5): SGD with momentum 0.9 and learning rate
#: 0.01 on the squared error summed over a digit's pixels (averaged over the batch),
#: weights drawn from N(0, 0.01²). minidl's "mse" averages over the pixels too, so the same
#: steps need a learning rate 784 times larger. Measured on full MNIST, k = 25, one run:
#: Adam 1e-3 with early stopping (the previous recipe) reached 2.95% at epoch 99 and stayed
#: at 2.86-3.05% for 100 more; this recipe gave 2.49, 1.95, 2.34 and 2.15% at epochs 300,
#: 400, 500 and 600 of a 600-epoch run (k schedule over the first 300; validation MSE
#: flat at 0.0080-0.0081 from epoch 300), and 2.33% in the row's 300-epoch run (all with
#: the probe's weight decay at 0; chosen on validation it gives 2.11% on that model).
ROW7_SGD = dict(lr=0.01 * 784, momentum=0.9, init_scale=0.01, batch_size=100)

#: Why the row centres the digits (not in what I recall of the paper). The paper's k
#: schedule is there so that every unit is picked early in training; on raw MNIST (all
#: pixels >= 0) it is not: the first units to win grow towards the mean digit, then win on
#: every digit. Of the 1,000 units of the 300-epoch models above (k = 25, 10, 40, 70), only
#: 568, 544, 574 and 579 were ever among a training digit's top k; 621 were in the top 100
#: after the first epoch, and a dense start (k from 1,000, lr halved: it diverges at the
#: paper's) ended with 572. With the mean digit subtracted, all 1,000 were in the top 100
#: by epoch 5, and 990 in the top 25 by epoch 8.

#: The probe's weight decay (Adam's L2 term), chosen by the error on the validation split
#: with the probe trained on the training split; the chosen probe is then trained on all
#: 60,000 digits and scored once on the test set. Measured on the 300-epoch k = 25 model
#: (uncentred digits, the probe's rate constant):
#: validation 2.96 / 2.70 / 2.62 / 2.52 / 2.52 / 2.82% for these six, test (probe trained
#: on 50,000) 2.60 / 2.40 / 2.20 / 2.15 / 2.24 / 2.53%: without a penalty the probe
#: overfits the 1,000 sparse features.
ROW7_PROBE_DECAY = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


def _ksparse_at(ctx, s, data, k):
    """Train the k-sparse AE at ``k`` and probe its features: (test error %, train info).

    The AE trains on all 60,000 training digits (``data.X_all``) for the epochs the
    validation split chose (see ``ROW7``); only the probe's weight decay is chosen on the
    split, with the probe trained on the training split's codes. k = 25's stages keep their
    plain names (``ksparse60k``, ``ksparse60k_more``, ``probe60k``); another k's carry
    ``-k<k>`` after them.
    """
    import autoencoders as ae
    from minidl import backend, metrics
    from minidl.layers.dense import init_weight
    from minidl.optimizers import SGD
    suffix = "" if k == ROW7_K else f"-k{k}"
    r = ROW7_SGD
    mean = data.X_all.mean(axis=0)                    # the mean of all training digits
    X_all, X, X_val, X_test = ((S - mean).astype(numpy.float32)
                               for S in (data.X_all, data.X, data.X_val, data.X_test))

    def stage(epochs, seed):
        def train(model):
            # A fixed number of epochs, as the paper: no early stopping, nothing held out.
            model.fit(X_all, epochs=epochs, batch_size=r["batch_size"], seed=seed,
                      optimizer=SGD(r["lr"], momentum=r["momentum"]), verbose=ctx.verbose)
            return {"epochs": epochs, "final_loss": model.history_.history["loss"][-1]}
        return train

    model = ae.KSparseAutoencoder([784, s["hidden"]], k=k, alpha=3, seed=0)
    (W,) = [p for p in model.parameters() if p.data.ndim == 2]  # tied: one weight matrix
    W.data[...] = init_weight(784, s["hidden"], "normal", scale=r["init_scale"], seed=0)
    # "60k": a resumed folder's models trained on the 50,000-digit split are not reused
    model, info = ctx.stages.model("ksparse60k" + suffix, model, stage(s["epochs"], 0))
    if s["more_epochs"]:
        model.k_start = model.k                         # the schedule is over: k throughout
        model, more = ctx.stages.model("ksparse60k_more" + suffix, model,
                                       stage(s["more_epochs"], 1))
        info = {"epochs": info["epochs"] + more["epochs"], "first_stage_epochs": info["epochs"],
                "final_loss": more["final_loss"], "first_stage_loss": info["final_loss"]}

    def probe():
        Z, Z_val, Z_test = (backend.to_host(model.encode(S)) for S in (X, X_val, X_test))

        def error(Z_fit, y_fit, Z_eval, y_eval, decay):
            return 100 * (1 - metrics.linear_probe(
                Z_fit, y_fit, Z_eval, y_eval, epochs=s["probe_epochs"], seed=0, lr=1e-3,
                weight_decay=decay, scale="global", lr_schedule="linear"))
        val = {decay: error(Z, data.y, Z_val, data.y_val, decay) for decay in ROW7_PROBE_DECAY}
        decay = min(val, key=val.get)                    # the first of equals: the weakest
        test = error(numpy.concatenate([Z, Z_val]), data.y_all, Z_test, data.y_test, decay)
        return {"test_error": test, "weight_decay": decay,
                "val_errors": {f"{d:g}": v for d, v in val.items()}}
    chosen = ctx.stages.value("probe60k" + suffix, probe)
    return chosen["test_error"], {**info, "probe_weight_decay": chosen["weight_decay"],
                                  "probe_val_errors": chosen["val_errors"]}


def row_7(ctx):
    s, data = ctx.settings(ROW7), ctx.data()
    results, details = [], {}
    for k in s["ks"]:
        error, info = _ksparse_at(ctx, s, data, k)
        details[f"k{k}"] = {"k": k, "test_error": error, **info}
        note = (f"{info['epochs']} epochs, final training MSE {info['final_loss']:.5f}, "
                f"probe weight decay {info['probe_weight_decay']:g} (chosen on validation)")
        if k == ROW7_K:
            results.append(outcome(
                f"k-sparse AE {s['hidden']} hidden, k = {k}", "probe test error %", error,
                paper=1.35, source="Makhzani & Frey 2013, Table 1 (k = 25, 1000 units; "
                "logistic regression on the features, before fine-tuning)",
                target=("<=", 1.5), note=note))
        else:
            results.append(outcome(
                f"same recipe, k = {k}", "probe test error %", error, paper=None,
                source="(the paper's sweep over k; its figure for this k is not recalled)",
                target=None, recalled=False, note=note))
    ks = ", ".join(map(str, s["ks"]))
    total = s["epochs"] + s["more_epochs"]
    more = (f", the last {s['more_epochs']} a second stage at k from the first stage's "
            f"model, its momentum restarted" if s["more_epochs"] else "")
    return {"results": results, "details": details, "recipe": (
        f"digits centred (the mean training digit subtracted: not in what I recall "
        f"of the paper, but without it about 430 of the 1,000 units never win a top-k), "
        f"tied 784-{s['hidden']} linear encoder, top-k in training (k from 100 down to k "
        f"over the first {s['epochs'] // 2:g} epochs), 3·k units kept when encoding, for "
        f"k = {ks}; weights from N(0, 0.01²), SGD with momentum 0.9 and learning rate 0.01 "
        f"on the squared error per digit (the paper's, recalled; 0.01·784 on minidl's "
        f"per-pixel MSE), batch 100, {total} epochs on all 60,000 training digits (a "
        f"length chosen on the 50,000/10,000 split; the paper: 5,000, recalled){more}; no "
        f"early stopping; probe: minidl.metrics.linear_probe "
        f"(softmax regression on the codes scaled by one global standard deviation, Adam "
        f"from 1e-3 falling linearly to 0 over {s['probe_epochs']} epochs) with its weight "
        f"decay chosen on the validation split from "
        f"{', '.join(f'{d:g}' for d in ROW7_PROBE_DECAY)}, then trained on all training "
        f"digits")}


def _sq_error(X, X_hat):
    d = numpy.asarray(X_hat, dtype=numpy.float64) - X
    return float((d * d).sum(axis=1).mean())


def _nearest(X, centres):
    """Index of the closest centre, from ||x||² − 2x·c + ||c||² (no (N, k, D) array)."""
    X = numpy.asarray(X, dtype=numpy.float64)
    d = (centres * centres).sum(axis=1)[None, :] - 2.0 * X @ centres.T
    return d.argmin(axis=1)


def row_9(ctx):
    from minidl import metrics
    data = ctx.data()
    n_init = {"full": 3, "quick": 2, "tiny": 1}[ctx.scale]

    def ours():
        pca = metrics.PCA(30).fit(data.X_all)
        err = _sq_error(data.X_test, pca.inverse_transform(pca.transform(data.X_test)))
        centres, _ = metrics.kmeans(data.X_all, 10, n_init=n_init, seed=0)
        pred = _nearest(data.X_test, centres)
        return {"pca_sq_error": err,
                "kmeans_accuracy": 100 * metrics.clustering_accuracy(data.y_test, pred)}

    def sklearn():
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA
        pca = PCA(30).fit(data.X_all)
        err = _sq_error(data.X_test, pca.inverse_transform(pca.transform(data.X_test)))
        km = KMeans(10, n_init=n_init, random_state=0).fit(data.X_all)
        return {"pca_sq_error": err, "kmeans_accuracy": 100 * metrics.clustering_accuracy(
            data.y_test, km.predict(data.X_test))}

    a = ctx.stages.value("minidl", ours)
    try:
        b = ctx.stages.value("sklearn", sklearn)
    except ImportError:
        b = {}
    pca_gap = None if not b else abs(a["pca_sq_error"] / b["pca_sq_error"] - 1)
    km_gap = None if not b else abs(a["kmeans_accuracy"] - b["kmeans_accuracy"])
    results = [
        outcome("PCA-30 reconstruction", "sq. error / test image", a["pca_sq_error"],
                paper=13.87, source="Hinton & Salakhutdinov 2006, Fig. 2 caption (PCA, 30 "
                "components)", target=None, pytorch=None,
                note=f"scikit-learn: {b.get('pca_sq_error', float('nan')):.3f}"),
        outcome("K-means, 10 clusters", "test clustering accuracy %", a["kmeans_accuracy"],
                paper=53.5, source="Xie et al. 2016 (DEC), Table 2: K-means on MNIST",
                target=None, note=f"scikit-learn: {b.get('kmeans_accuracy', float('nan')):.1f}%"),
    ]
    for r, gap, tol in ((results[0], pca_gap, 0.01), (results[1], km_gap, 3.0)):
        r["met"] = None if gap is None else bool(gap <= tol)
        r["check"] = f"agrees with scikit-learn within {tol:g}{'' if tol < 1 else ' points'}"
    return {"results": results, "details": {"minidl": a, "sklearn": b}, "recipe": (
        f"PCA (eigenvectors of the covariance, 30 components) and k-means++ / Lloyd "
        f"({n_init} restarts) fitted on all "
        f"training digits; errors and accuracy (Hungarian matching) on the test set; the "
        f"same with scikit-learn's PCA and KMeans as the check")}
