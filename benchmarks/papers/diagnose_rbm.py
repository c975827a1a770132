"""Row 6 diagnosis: is the gap to Salakhutdinov & Murray (2008) training or AIS?

    MINIDL_DATA=/work/data python -m benchmarks.papers.diagnose_rbm [--quick] [--out FILE]

Two experiments on full MNIST (mnist-5k with ``--quick``), results as JSON:

A. *AIS against the exact answer.* A 784-20 RBM trained with CD-1 on MNIST has a
   log partition function that enumeration over its 2^20 hidden states gives
   exactly; AIS with the paper's schedule (and a short one) must land within a few
   standard errors of it. If it does, AIS is not what costs the nats.
B. *Which part of the training recipe matters.* 784-500 RBMs trained with CD-1 for a
   few epochs under recipes that differ in one thing each (weight decay, learning
   rate), the AIS test log-probability after some
   of a few epochs (pixels > 0.5 throughout). The first recipe is the first wave's (SGD
   0.05, momentum 0.9, no weight decay). For the first recipe's final model AIS runs
   again with 4x the inverse temperatures: if log Z moves by much less than the gap to
   the paper, the gap is the model, not the estimate.
"""
import argparse
import json
import time

from benchmarks.papers import common


def experiment_a(X, X_test, *, epochs, seed=0):
    from minidl.optimizers import SGD
    from minidl.training import fit
    from rbm import BernoulliRBM, ais

    rbm = BernoulliRBM(784, 20, k=1, seed=seed)
    fit(rbm, X, epochs=epochs, batch_size=100, optimizer=SGD(0.05, momentum=0.9), seed=seed,
        verbose=0)
    exact = float(rbm.log_partition_exact())
    out = {"n_hidden": 20, "epochs": epochs, "log_z_exact": exact,
           "test_loglik_exact": float(rbm.log_likelihood(X_test, exact)), "ais": []}
    for n_betas in (1000, 14500):
        start = time.perf_counter()
        log_z, err = ais.log_partition(rbm, 100, n_betas, seed=seed, base_rate_data=X)
        out["ais"].append({"n_betas": n_betas, "n_chains": 100, "log_z": float(log_z),
                           "stderr": float(err), "error": float(log_z) - exact,
                           "seconds": time.perf_counter() - start})
    return out


RECIPES = {
    "first wave: lr .05, momentum .9, no weight decay": dict(lr=0.05, momentum=0.9, wd=0.0),
    "+ weight decay 2e-4": dict(lr=0.05, momentum=0.9, wd=2e-4),
    "lr .01, momentum .9, weight decay 2e-4": dict(lr=0.01, momentum=0.9, wd=2e-4),
    "lr .05, no momentum, weight decay 2e-4": dict(lr=0.05, momentum=0.0, wd=2e-4),
}


def experiment_b(X, X_test, *, epochs, eval_at, n_betas, check_betas=None, seed=0):
    from minidl.optimizers import SGD
    from minidl.training import fit
    from rbm import BernoulliRBM, ais

    out = {}
    for name, r in RECIPES.items():
        rbm = BernoulliRBM(784, 500, k=1, weight_decay=r["wd"], seed=seed)
        opt = SGD(r["lr"], momentum=r["momentum"])
        curve = []
        for epoch in range(epochs):
            start = time.perf_counter()
            fit(rbm, X, epochs=1, batch_size=100, optimizer=opt, seed=seed + epoch, verbose=0)
            train_s = time.perf_counter() - start
            if epoch + 1 not in eval_at:
                continue
            log_z, err = ais.log_partition(rbm, 100, n_betas, seed=seed, base_rate_data=X)
            curve.append({"epoch": epoch + 1,
                          "test_loglik": float(rbm.log_likelihood(X_test, log_z)),
                          "log_z": float(log_z), "log_z_stderr": float(err),
                          "train_seconds": train_s,
                          "weight_norm": float((rbm.W.data ** 2).sum() ** 0.5)})
            print(name, curve[-1], flush=True)
        out[name] = {"recipe": r, "curve": curve}
        if check_betas:  # does AIS move when given more intermediate distributions?
            log_z, err = ais.log_partition(rbm, 100, check_betas, seed=seed + 1,
                                           base_rate_data=X)
            out[name]["ais_check"] = {"n_betas": check_betas, "log_z": float(log_z),
                                      "log_z_stderr": float(err),
                                      "test_loglik": float(rbm.log_likelihood(X_test, log_z))}
            print(name, out[name]["ais_check"], flush=True)
            check_betas = None      # the first recipe only: AIS time is scarce
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default="benchmarks/results/papers-6-diagnosis.json")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--eval-at", default="1,2,6", help="epochs after which AIS runs")
    p.add_argument("--betas", type=int, default=1000)
    p.add_argument("--check-betas", type=int, default=4000)
    p.add_argument("--skip-a", metavar="JSON", help="take experiment A from this earlier result")
    args = p.parse_args(argv)
    data = common.load_data("quick" if args.quick else "full")
    X, X_test = common.binarise(data.X, "threshold"), common.binarise(data.X_test, "threshold")
    result = {"machine": common.machine(), "dataset": data.name}
    if args.skip_a:
        result["A_ais_vs_exact"] = json.load(open(args.skip_a))["A_ais_vs_exact"]
    else:
        result["A_ais_vs_exact"] = experiment_a(X, X_test, epochs=1 if args.quick else 3)
    print("A", result["A_ais_vs_exact"], flush=True)
    common.write_json(args.out, result)
    eval_at = [int(e) for e in args.eval_at.split(",")]
    result["B_settings"] = {"hidden": 500, "k": 1, "batch_size": 100, "binarise": "pixel > 0.5",
                            "n_betas": 200 if args.quick else args.betas, "n_chains": 100}
    result["B_recipes"] = experiment_b(
        X, X_test, epochs=1 if args.quick else args.epochs, eval_at=[1] if args.quick else eval_at,
        n_betas=200 if args.quick else args.betas,
        check_betas=400 if args.quick else args.check_betas)
    common.write_json(args.out, result)
    print("written", args.out)


if __name__ == "__main__":
    main()
