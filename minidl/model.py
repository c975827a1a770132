"""Model: what ``minidl.training.fit`` drives.

A model owns layers (and so Parameters) and an optimizer, and implements

    train_step(batch) -> dict of metrics   forward, objective, backward, optimizer step
    evaluate(batch)   -> dict of metrics   forward and objective only

``batch`` is the input array ``X[idx]`` when ``fit`` was given no targets, and the
pair ``Batch(X[idx], y[idx])`` when it was (:class:`Batch`: a tuple only fit makes, so a
user's list or tuple is always read as rows, see :func:`array_like`). Metric values are
scalars: Python floats, or 0-d arrays on the model's device (what ``backend.scalar``
gives: a float on NumPy, the device array on CuPy), so that a step never waits for the
GPU; ``fit`` copies one batch's metrics to the host together (``backend.to_floats``),
one sync per batch.
``evaluate`` called by users returns Python floats.

A model owns its device: ``model.xp`` is the array module of its parameters, and
every method computes there (``as_array``, the model's random generator), whatever
``minidl.backend.use`` says. ``model.to("cupy")`` moves it.

Every model is also a scikit-learn style estimator: ``get_params()`` returns the
keywords it was built with, ``set_params(**p)`` rebuilds it with some changed, and
``fit`` returns the model itself (the History is kept in ``model.history_``), so a
unit drops into ``sklearn.pipeline.Pipeline`` and ``GridSearchCV``. ``fit(X)`` needs no
keyword: every constructor also takes ``epochs=`` and ``batch_size=`` (keyword-only,
in ``get_params``, not in the config), and the class defaults fill in the rest.
"""
import inspect
import numbers

from minidl import backend, checks
from minidl.layers.base import collect_parameters

#: The constructor keywords every estimator takes that say how long ``fit`` trains.
TRAINING_LENGTH = ("epochs", "batch_size")


#: Batch and array_like live in minidl.checks (minidl.training needs them too).
Batch, array_like = checks.Batch, checks.array_like


class _TrainingLengthKeywords(type):
    """Every estimator's constructor also takes ``epochs=`` and ``batch_size=`` (keyword-only).

    They are taken off the call here, kept aside (``self._fit_length``; None: the
    class's ``default_epochs`` / ``default_batch_size``; a private name, so a model of
    one's own may still have an ``epochs`` attribute) and recorded with the other
    keywords, so ``get_params``, ``clone`` and ``GridSearchCV`` see them; the class's
    own ``__init__`` never has to mention them.
    """

    def __call__(cls, *args, **kwargs):
        taken = {name: kwargs.pop(name, None) for name in _taken_keywords(cls)}
        self = super().__call__(*args, **kwargs)
        self._set_training_length(**taken)
        return self

    @property
    def __signature__(cls):
        """``inspect.signature(cls)``: the class's ``__init__`` (without self) plus the two
        keywords, what ``help()`` and scikit-learn's parameter checks read."""
        init = inspect.signature(cls.__init__)
        params = [p for name, p in init.parameters.items() if name != "self"
                  and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
                 for name in TRAINING_LENGTH if name not in init.parameters]
        return init.replace(parameters=params + extra)


def _taken_keywords(cls):
    """The training-length keywords the metaclass takes: those ``cls.__init__`` lacks
    (a class that declares its own ``epochs`` keeps it)."""
    own = inspect.signature(cls.__init__).parameters
    return [name for name in TRAINING_LENGTH if name not in own]


class Estimator(metaclass=_TrainingLengthKeywords):
    """``get_params`` / ``set_params`` from the constructor's own keywords.

    The arguments of the outermost constructor call are recorded as they were given
    (before any validation converts them), which is what ``sklearn.base.clone`` needs:
    ``type(m)(**m.get_params())`` builds an identical, untrained model.

    Every estimator's constructor also takes the keyword-only ``epochs`` and
    ``batch_size``: how long ``fit(X)`` trains when its own keywords do not say
    (``fit(X, epochs=3)`` wins). None means the class defaults below; a model family
    sets its own (the RBMs: scikit-learn's BernoulliRBM's n_iter=10, batch_size=10).
    """

    #: ``fit``'s training length when neither fit nor the constructor gives one:
    #: Keras' batch size, and ten passes (Keras' single epoch barely starts to learn).
    default_epochs = 10
    default_batch_size = 32

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        try:
            bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        except TypeError:       # copy/pickle call __new__ without arguments
            return self
        bound.apply_defaults()
        params = {}
        for name, param in inspect.signature(cls.__init__).parameters.items():
            if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            params[name] = bound.arguments[name]
        self._init_params = params
        return self

    def _set_training_length(self, **given):
        owner = type(self).__name__
        self._fit_length = tuple(None if given.get(name) is None
                                 else checks.positive_int(owner, name, given[name])
                                 for name in TRAINING_LENGTH)
        if hasattr(self, "_init_params"):       # as given, like the other keywords
            self._init_params.update(given)

    def training_length(self, epochs=None, batch_size=None):
        """``(epochs, batch_size)`` for a fit: the given ones, else the constructor's, else
        the class defaults (``default_epochs``, ``default_batch_size``)."""
        own = getattr(self, "_fit_length", (None, None))
        defaults = (self.default_epochs, self.default_batch_size)
        return tuple(g if g is not None else (o if o is not None else d)
                     for g, o, d in zip((epochs, batch_size), own, defaults))

    def __sklearn_tags__(self):
        """What scikit-learn (>= 1.6) asks of an estimator that is not its BaseEstimator:
        2-D float input, no target needed, a transformer when it has ``transform``."""
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags
        transformer = hasattr(self, "transform")
        return Tags(estimator_type="transformer" if transformer else None,
                    target_tags=TargetTags(required=False), input_tags=InputTags(),
                    transformer_tags=TransformerTags(preserves_dtype=["float32"])
                    if transformer else None)

    def get_params(self, deep=True):
        """The constructor's keywords, as given (``deep`` is accepted for scikit-learn)."""
        return dict(getattr(self, "_init_params", {}))

    def set_params(self, **params):
        """Rebuild with some constructor keywords changed; weights start afresh. Returns self."""
        current = self.get_params()
        unknown = sorted(set(params) - set(current))
        if unknown:
            raise ValueError(f"{type(self).__name__}.set_params: unknown parameter(s) {unknown}; "
                             f"valid ones are {sorted(current)}")
        current.update(params)
        taken = {name: current.pop(name, None) for name in _taken_keywords(type(self))}
        self.__dict__.pop("_model_cache", None)   # the first-parameter cache: new layers
        type(self).__init__(self, **current)
        self._init_params = current
        self._set_training_length(**taken)
        return self


class Model(Estimator):
    """Base class: parameter bookkeeping, device moves, and ``fit``."""

    optimizer = None

    def _own_parameters(self):
        return collect_parameters(self)

    def parameters(self):
        """Every Parameter of the model, each once (tied weights included once)."""
        return collect_parameters(self)

    def default_optimizer(self):
        """The optimizer ``fit`` uses when none is given (Adam, lr 1e-3)."""
        from minidl.optimizers import Adam
        return Adam(lr=1e-3)

    def begin_fit(self, X):
        """Called by :func:`minidl.training.fit` once every check has passed, before the
        first update, with the training data (on the model's device). Nothing by default;
        a binary RBM starts its visible biases from the data here."""

    def train_step(self, batch):
        raise NotImplementedError(f"{type(self).__name__} (abstract Model) must implement train_step(batch)")

    def evaluate(self, batch):
        raise NotImplementedError(f"{type(self).__name__} (abstract Model) must implement evaluate(batch)")

    def apply_gradients(self):
        """One optimizer step on the accumulated grads, then reset them."""
        params = self.parameters()
        self.optimizer.step(params)
        self.optimizer.zero_grad(params)

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def fit(self, X, y=None, **kwargs):
        """Train with :func:`minidl.training.fit`; same keywords. Returns ``self``.

        With no ``epochs`` / ``batch_size``, the constructor's are used, else the class
        defaults (:meth:`training_length`). The History of the run is kept in
        ``self.history_`` (``model.history_["loss"]``).
        """
        from minidl.training import fit
        self.history_ = fit(self, X, y, **kwargs)
        return self

    def fit_transform(self, X, y=None, **kwargs):
        """``fit(X, **kwargs)`` then ``transform(X)`` (scikit-learn's pipelines call it)."""
        return self.fit(X, y, **kwargs).transform(X)

    def _first_parameter(self):
        """The model's first Parameter (None without any), found once and remembered.

        Every step asks for the model's device and dtype; walking all layers for them
        each time cost ~10% of a small autoencoder's epoch. The Parameter *object* is
        remembered (in a dict, which ``collect_parameters`` does not walk), and its
        ``data`` is read live, so ``to()`` and ``astype()`` are always seen.
        """
        cache = self.__dict__.setdefault("_model_cache", {})
        if cache.get("first") is None:
            params = self.parameters()
            cache["first"] = params[0] if params else None
        return cache["first"]

    @property
    def xp(self):
        """The array module (numpy or cupy) holding this model's parameters."""
        p = self._first_parameter()
        return backend.get_array_module(p.data) if p is not None else backend.xp

    def _dtype(self):
        """The dtype of this model's parameters (float32 unless ``astype`` changed it)."""
        p = self._first_parameter()
        return p.dtype if p is not None else backend.float32

    def to(self, name):
        """Move every parameter (and optimizer state) to backend ``name``."""
        for p in self.parameters():
            p.to(name)
        if self.optimizer is not None and hasattr(self.optimizer, "to"):
            self.optimizer.to(name)
        return self

    def astype(self, dtype):
        for p in self.parameters():
            p.astype(dtype)
        return self

    # --- weights, for restore-best and checkpoints ---------------------------
    def get_weights(self):
        """Copies of every parameter's data, in ``parameters()`` order."""
        return [p.data.copy() for p in self.parameters()]

    def set_weights(self, weights):
        """Assign arrays (from :meth:`get_weights`) to the parameters, in order.

        Every shape and dtype is checked before anything is assigned, so a
        mismatched list leaves the model untouched.
        """
        params, weights = self.parameters(), list(weights)
        if len(weights) != len(params):
            raise ValueError(f"{type(self).__name__}.set_weights got {len(weights)} arrays for "
                             f"{len(params)} parameters: pass the list from get_weights()")
        for p, w in zip(params, weights):
            if tuple(w.shape) != tuple(p.shape) or w.dtype != p.dtype:
                raise ValueError(f"{type(self).__name__}.set_weights: {p.name} needs shape "
                                 f"{tuple(p.shape)} {p.dtype}, got {tuple(w.shape)} {w.dtype}")
        for p, w in zip(params, weights):
            xp = backend.get_array_module(p.data)
            xp.copyto(p.data, backend.to_device(w, backend.name_of(xp)))

    #: Constructor keywords left out of the default config: they choose how to train
    #: (and the initial weights), not what a model with loaded weights computes.
    config_excludes = ("optimizer", "seed", "verbose") + TRAINING_LENGTH

    def get_config(self):
        """The constructor's keywords as a JSON-able dict, stored by ``minidl.io.save``.

        By default: :meth:`get_params` without :attr:`config_excludes`, so
        ``type(m)(**m.get_config())`` rebuilds the architecture; NumPy scalars become
        Python numbers and tuples lists. A keyword whose value is not JSON-able (a
        layer, an array) raises TypeError naming it: such a model overrides get_config.
        """
        params = {k: v for k, v in self.get_params().items() if k not in self.config_excludes}
        return {k: _jsonable(type(self).__name__, k, v) for k, v in params.items()}

    def as_array(self, X, dtype=backend.float32, *, name="X"):
        """``X`` on this model's device with ``dtype`` (no copy when already so).

        The one door data come in through, so every method refuses the same bad input
        with the same words: no rows, NaN or inf, or float64 values that ``dtype``
        cannot hold (see :mod:`minidl.checks`).
        """
        owner = type(self).__name__
        X = array_like(owner, X, name=name)
        checks.samples(owner, X, name=name)
        X = backend.to_device(X, backend.name_of(self.xp))
        if not self._inputs_checked_by_fit:
            checks.finite_array(owner, X, name=name, dtype=dtype)
        return X if dtype is None or X.dtype == dtype else X.astype(dtype)

    #: True while ``minidl.training.fit`` runs: it checked the whole data set once, up
    #: front, so the batches it hands to train_step / evaluate are not scanned again.
    _inputs_checked_by_fit = False


def _jsonable(owner, key, value):
    """``value`` as plain JSON types, or TypeError naming the keyword."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(owner, key, v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _jsonable(owner, f"{key}[{k!r}]", v) for k, v in value.items()}
    if getattr(value, "ndim", None) == 1 and getattr(value.dtype, "kind", "") in "iu":
        return [_jsonable(owner, key, v) for v in value.tolist()]   # sizes=np.array([8, 4])
    raise TypeError(f"{owner}.get_config: constructor keyword {key}={value!r} "
                    f"({type(value).__name__}) is not JSON-able, so the default config cannot "
                    f"record it; override get_config() to describe it with numbers and strings")
