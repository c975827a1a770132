"""Greedy layer-wise pretraining (Hinton, Osindero & Teh 2006; Bengio et al. 2007).

Train a stack one layer at a time: unit 1 learns to model the data, unit 2 learns
to model unit 1's codes, and so on,

    H_0 = X,    unit_i.fit(H_{i-1}),    H_i = unit_i.transform(H_{i-1}).

The unit protocol
-----------------
The pretrainer knows nothing of RBMs or autoencoders. It speaks to *units*, and a
shallow autoencoder (``autoencoders``) and an RBM (``rbm``) each implement this
protocol directly -- no adapter -- so one loop builds a stacked AE and a DBN:

    unit.fit(X, y=None, *, epochs, batch_size, optimizer=None, seed=None,
             verbose=1, callbacks=(), validation_data=None) -> unit
        trains with minidl.training.fit; returns the unit itself and keeps the
        History in ``unit.history_``. ``y`` is ignored by unsupervised units.
    unit.transform(X) -> H          (N, n_in) -> (N, n_out): the features the next
        unit learns from; an autoencoder's code (= encode), an RBM's P(h = 1 | v).
    unit.inverse_transform(H) -> X  (N, n_out) -> (N, n_in): back down; an
        autoencoder's decode, an RBM's P(v = 1 | h) (mean_v).
    unit.get_params() / unit.set_params(**params)
        the constructor's keywords (minidl.model.Estimator), so every unit is a
        scikit-learn estimator (Pipeline, GridSearchCV, clone).

The rest of the shared vocabulary, which units and the models built from them follow:

    optimizer   chosen the same way everywhere: ``optimizer=`` in the constructor or in
                ``fit`` (an Optimizer object or a name: "sgd", "adam", ...); without
                one, ``model.default_optimizer()`` (SGD with momentum for an RBM, as in
                Hinton's guide; Adam for an autoencoder).
    sample(n, *, steps=None, init=None, seed=None)
                the one signature of every generative model: ``steps`` Gibbs steps
                for RBMs and DBNs (a default when None; must be None for a VAE, which
                samples ancestrally), ``init`` an optional starting batch of data.
    pretrain(X, ...) -> self
                a StackedAutoencoder or DBN runs :func:`greedy_pretrain` over its units
                and returns itself; each unit keeps its History in ``unit.history_``.
    seeds       a model's parts never add offsets to its seed; unit i of a stack gets
                ``minidl.backend.derive_seed(seed, "unit", i)``, and so does the fit of
                unit i here.
"""
from minidl import backend, checks
from minidl.layers.base import Layer

__all__ = ["greedy_pretrain", "freeze_first"]


def _per_layer(value, n, name):
    """Broadcast a scalar setting to every layer, or check a per-layer list."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"greedy_pretrain: {name} has {len(value)} entries for {n} units; "
                             f"give one value per unit or a single value for all")
        return list(value)
    return [value] * n


def greedy_pretrain(units, X, *, epochs=10, batch_size=100, verbose=1, seed=None,
                    on_layer_end=None, **fit_kwargs):
    """Fit ``units`` one after another, each on the codes of the one below.

    Parameters
    ----------
    units : list of objects with ``fit(X, ...)`` and ``transform(X)`` (RBMs, shallow AEs).
    X : (N, D) training data for the first unit.
    epochs, batch_size : int, or a list with one value per unit.
    seed : int or None; unit i is fitted with ``backend.derive_seed(seed, "unit", i)``.
    on_layer_end : optional callable ``(i, unit, history)`` called after each unit.
    **fit_kwargs : passed to every unit's ``fit`` (optimizer, callbacks, ...).

    Returns
    -------
    The list of fitted units (the same objects). Each keeps its training history
    in ``unit.history_`` (set by the unit's own ``fit``).
    """
    units = list(units)
    if not units:
        raise ValueError("greedy_pretrain needs at least one unit to train")
    for i, unit in enumerate(units):
        if not (hasattr(unit, "fit") and hasattr(unit, "transform")):
            raise TypeError(f"greedy_pretrain: unit {i} ({type(unit).__name__}) lacks fit(X) "
                            f"and transform(X); pass RBMs or shallow autoencoders")
    checks.samples("greedy_pretrain", X)
    epochs = _per_layer(epochs, len(units), "epochs")
    batch_size = _per_layer(batch_size, len(units), "batch_size")
    H = X
    for i, unit in enumerate(units):
        if verbose:
            print(f"greedy pretraining: unit {i + 1}/{len(units)} {type(unit).__name__} "
                  f"on inputs of shape {tuple(H.shape)}")
        unit.fit(H, epochs=epochs[i], batch_size=batch_size[i], verbose=verbose,
                 seed=backend.derive_seed(seed, "unit", i), **fit_kwargs)
        if on_layer_end is not None:
            on_layer_end(i, unit, getattr(unit, "history_", None))
        if i + 1 < len(units):
            H = unit.transform(H)
    return units


def freeze_first(network, k):
    """Freeze the first ``k`` layers of a network (transfer learning); unfreeze the rest.

    ``network`` is a Sequential (or any iterable of layers). Frozen parameters keep
    their values: optimizers skip them.
    """
    layers = list(network)
    k = checks.integer("freeze_first", "k", k)
    if not 0 <= k <= len(layers):
        raise ValueError(f"freeze_first: k={k} must be between 0 and the number of layers "
                         f"({len(layers)})")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"freeze_first: item {i} is {type(layer).__name__}, not a Layer")
        layer.freeze() if i < k else layer.unfreeze()
    return network
