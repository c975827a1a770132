"""A sequence-to-sequence autoencoder reads MNIST digits row by row and writes them back.

Each 28x28 digit becomes a sequence of 28 steps of 28 pixels. An LSTM encoder reads the
rows top to bottom and keeps only its last hidden state: one 64-number code for the
whole digit. The decoder repeats the code at every step, runs a second LSTM over the
copies and maps each of its states to the pixels of that row (the Keras tutorial's
sequence autoencoder). Everything it draws must pass through that single vector.

    python -m examples.seq2seq_mnist_rows [--epochs 8] [--seed 0] [--out gallery] [--full]

The quick default (8 epochs on 4,000 digits) only starts to draw digit shapes: a
recurrent autoencoder learns slowly, sitting for a few epochs on the "average digit"
before the code starts to matter. --full trains a 128-unit code for at least 50 epochs
(use --dataset mnist with full MNIST).
"""
from minidl import datasets, metrics, viz
from minidl.optimizers import Adam

from autoencoders import Seq2SeqAutoencoder
from examples._common import Result, out_path, parse_args

TITLE = "Sequence autoencoder: MNIST read row by row (LSTM, BPTT)"


def main(argv=None):
    args = parse_args(__doc__, argv, epochs=8)
    rows, cols = datasets.image_shape(args.dataset)
    X, y = datasets.load(args.dataset, "train")
    X_test, y_test = datasets.load(args.dataset, "test")
    seqs, seqs_test = X.reshape(-1, rows, cols), X_test.reshape(-1, rows, cols)  # (N, T, D)
    hidden = 128 if args.full else 64
    epochs = max(args.epochs, 50) if args.full else args.epochs
    result = Result()

    model = Seq2SeqAutoencoder([cols, hidden], loss="bce", seed=args.seed)
    history = model.fit(seqs, epochs=epochs, batch_size=32,
                        optimizer=Adam(lr=3e-3, clip_norm=5.0),  # clipping: standard for RNNs
                        seed=args.seed, verbose=0)

    recon = model.reconstruct(seqs_test[:10])                    # (10, T, D), sigmoid applied
    result.add_figure(viz.reconstructions(X_test[:10], recon.reshape(10, -1),
                                          out_path(args, "seq2seq_mnist_rows"),
                                          shape=(rows, cols),
                                          title=f"LSTM {cols}->{hidden}->{cols}, row by row"),
                      f"Test digits (top) and their reconstructions (bottom) by a sequence "
                      f"autoencoder that read each digit as {rows} rows of {cols} pixels and "
                      f"squeezed it into one {hidden}-number code.")
    result.add_figure(viz.curves({"train": history.history["loss"]},
                                 out_path(args, "seq2seq_mnist_rows_loss"),
                                 title="reconstruction loss", ylabel="BCE"),
                      "Training reconstruction loss per epoch: a plateau at the 'average "
                      "digit' first, then the code starts to carry the digit's shape.")

    codes, codes_test = model.encode(seqs), model.encode(seqs_test)
    recon_test = model.reconstruct(seqs_test).reshape(len(seqs_test), -1)
    result.metrics.update({
        "test BCE": model.evaluate(seqs_test)["loss"],
        "test PSNR (dB)": metrics.psnr(X_test, recon_test),
        "linear probe accuracy on the codes": metrics.linear_probe(codes, y, codes_test, y_test,
                                                                   seed=args.seed),
    })
    for key, value in result.metrics.items():
        print(f"{key}: {value:.4f}")
    return result


if __name__ == "__main__":
    main()
