"""What do the conv filters look for? Feature maps and activation maximisation.

Two of the lecture's figures for a trained convolutional autoencoder:

* feature maps -- the ReLU outputs of the first conv layer (16 maps of 28x28) and of
  the encoder's last conv layer (8 maps of 7x7) for one test digit, as heatmaps;
* activation maximisation (Erhan et al. 2009) -- for each filter c, gradient ascent on
  the input image x of its mean activation a_c(x), starting from grey noise:
      x ← clip(x + lr · ∇ₓ a_c / ‖∇ₓ a_c‖, 0, 1),
  where ∇ₓ a_c comes from the encoder's own backward pass down to the input.

    python -m examples.conv_filters [--epochs 2] [--seed 0] [--out gallery] [--full]

Quick mode (Adam, lr 3e-3, batch 32) trains 2 epochs on 2,000 digits; --full trains
20 epochs on the whole training split.
"""
from minidl import backend, datasets, viz
from minidl.optimizers import Adam

from autoencoders import ConvAutoencoder
from examples._common import Result, out_path, parse_args

TITLE = "Conv filters: feature maps and activation maximisation"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=2, full_epochs=20)
    X, _ = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    shape = datasets.image_shape(args.dataset)
    X = X if args.full else X[:2000]

    model = ConvAutoencoder("lecture", seed=args.seed)
    history = model.fit(X, epochs=args.epochs, batch_size=128 if args.full else 32,
                        optimizer=Adam(1e-3 if args.full else 3e-3), seed=args.seed, verbose=0)
    result = Result()
    digit = X_test[0]
    for which in ("first", "last"):
        maps = backend.to_host(model.feature_maps(digit, layer=which))
        result.add_figure(viz.feature_maps(maps, out_path(args, f"conv_maps_{which}"),
                                           title=f"{which} conv layer, digit {y_test[0]}"),
                          f"ReLU feature maps of the {which} conv layer of the encoder "
                          f"({maps.shape[0]} maps of {maps.shape[1]}x{maps.shape[2]}) "
                          f"for one test digit.")
    for which, steps in (("first", 40), ("last", 80)):
        best = backend.to_host(model.maximize_activation(which, steps=steps, lr=0.05,
                                                         seed=args.seed))
        result.add_figure(viz.image_grid(best.reshape(len(best), -1),
                                         out_path(args, f"conv_actmax_{which}"), shape=shape,
                                         ncols=8, title=f"inputs that excite each filter "
                                                        f"({which} conv layer)"),
                          f"Activation maximisation: for each of the {len(best)} filters of "
                          f"the {which} conv layer, the input found by {steps} steps of "
                          f"gradient ascent on its mean activation.")
    result.metrics.update({"final training BCE": history.history["loss"][-1],
                           "epochs": args.epochs})
    return result


if __name__ == "__main__":
    main()
