"""A neural sequence recommender: what a customer buys next, read from the order of their baskets.

:class:`SequenceRecommender` trains a small SASRec-style network (causal self-attention
over the customer's baskets, :mod:`recsys.recommend.sequence_net`) with PyTorch on the
CPU, then scores with NumPy only: the fitted model holds its weights as arrays, so it
pickles small and serves without PyTorch. PyTorch is an optional extra
(``requirements-neural.txt``); without it, :meth:`SequenceRecommender.fit` raises
:class:`NeuralUnavailableError`, whose message says how to install it.
"""

from __future__ import annotations

import importlib.util
import math
import os

import numpy as np

from recsys.errors import ParameterError, RecsysError
from recsys.recommend.base import BaseRecommender
from recsys.recommend.interactions import Histories
from recsys.recommend.sequences import BasketSequences, basket_sequences

INSTALL_HINT = "pip install -r requirements-neural.txt"

SCORE_ROWS = 256
"""Customers scored at once (bounds the ``customers × baskets × dim`` work arrays)."""


class NeuralUnavailableError(RecsysError):
    """The optional neural extra (PyTorch) is not installed."""


def torch_available() -> bool:
    """Return whether PyTorch can be imported (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def require_torch() -> None:
    """Raise :class:`NeuralUnavailableError` when PyTorch is not installed."""
    if not torch_available():
        raise NeuralUnavailableError(
            "the neural sequence recommender needs PyTorch, which is not installed; "
            f"install the optional extra with `{INSTALL_HINT}` (a CPU build, about 0.8 GB)"
        )


def available_cores() -> int:
    """Return the number of CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class SequenceRecommender(BaseRecommender):
    """SASRec-style self-attention over each customer's baskets, trained on the CPU.

    Parameters
    ----------
    dim : int, default 64
        Width of the product and basket embeddings.
    layers : int, default 1
        Self-attention blocks.
    heads : int, default 2
        Attention heads (``dim`` must be a multiple).
    max_baskets : int, default 20
        Latest baskets read per customer.
    dropout : float, default 0.1
        Dropout while training.
    epochs : int, default 15
        Passes over the customers.
    batch_size : int, default 128
        Customers per training step.
    learning_rate, weight_decay : float, default 1e-2, 1e-4
        AdamW settings.
    horizon_days : float, default 30
        After each basket, the network learns the products bought in the following
        ``horizon_days`` (at least the next basket).
    mask_bought : bool, default True
        While training, leave the products a customer already bought out of the
        softmax (they are never recommended again, so the network need not rank them).
    basket_weight : float, default 0.0
        Weight of a second task, completing half-seen baskets (co-purchase), in the loss.
    threads : int, optional
        PyTorch threads while training; None uses every core this process may run on.
        The same seed and thread count give the same weights.
    random_state : int or None, default 0
        Seed of the initial weights, dropout and batch order (None: a fresh one).

    Attributes
    ----------
    weights_ : dict of str to ndarray
        The trained network's weights (float32); scoring needs nothing else.
    losses_ : list of float
        Mean training loss of each epoch.
    threads_ : int
        PyTorch threads the fit used.
    """

    score_dtype = np.float32

    def __init__(self, *, dim: int = 64, layers: int = 1, heads: int = 2,
                 max_baskets: int = 20, dropout: float = 0.1, epochs: int = 15,
                 batch_size: int = 128, learning_rate: float = 1e-2,
                 weight_decay: float = 1e-4, horizon_days: float = 30.0, mask_bought: bool = True,
                 basket_weight: float = 0.0, threads: int | None = None,
                 random_state: int | None = 0):
        self.dim = dim
        self.layers = layers
        self.heads = heads
        self.max_baskets = max_baskets
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.horizon_days = horizon_days
        self.mask_bought = mask_bought
        self.basket_weight = basket_weight
        self.threads = threads
        self.random_state = random_state

    def _check_params(self) -> None:
        positive = {"dim": self.dim, "layers": self.layers, "heads": self.heads,
                    "max_baskets": self.max_baskets, "epochs": self.epochs,
                    "batch_size": self.batch_size}
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ParameterError(f"{name} must be a positive integer, got {value!r}")
        if self.dim % self.heads:
            raise ParameterError(
                f"dim must be a multiple of heads, got dim={self.dim!r} and heads={self.heads!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ParameterError(f"dropout must be in [0, 1), got {self.dropout!r}")
        for name in ("learning_rate", "horizon_days"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in ("weight_decay", "basket_weight"):
            if not getattr(self, name) >= 0:
                raise ParameterError(f"{name} must be 0 or more, got {getattr(self, name)!r}")
        if self.threads is not None and not (isinstance(self.threads, (int, np.integer))
                                             and self.threads >= 1):
            raise ParameterError(f"threads must be a positive integer or None, got {self.threads!r}")

    def _fit_model(self, transactions, products, customers, segments) -> None:
        self._check_params()
        require_torch()
        from recsys.recommend.sequence_net import train_network

        data = self.data_
        n_sold = data.n_sold
        self.threads_ = int(self.threads) if self.threads is not None else available_cores()
        seed = (int(self.random_state) if self.random_state is not None
                else int(np.random.default_rng().integers(2**31)))
        prior = np.log1p(self.popularity_[:n_sold])
        seqs = basket_sequences(data.histories(np.arange(len(data.users))),
                                max_baskets=self.max_baskets, n_items=n_sold)
        self.weights_, self.losses_ = train_network(
            seqs, n_sold, dim=self.dim, layers=self.layers, heads=self.heads,
            max_baskets=self.max_baskets, dropout=self.dropout, epochs=self.epochs,
            batch_size=self.batch_size, learning_rate=self.learning_rate,
            weight_decay=self.weight_decay, horizon_days=self.horizon_days,
            mask_bought=self.mask_bought, basket_weight=self.basket_weight,
            prior=prior - prior.mean(), seed=seed, threads=self.threads_,
        )

    # -- scoring (NumPy only) ------------------------------------------------------------
    def score_histories(self, histories: Histories) -> np.ndarray:
        """Return ``(len(histories), n_items)`` float32 scores of the next purchases.

        Products without sales at fit time score below every sold product.
        """
        n_items, n_sold = len(self.data_.items), self.data_.n_sold
        out = np.empty((len(histories), n_items), dtype=np.float32)
        for start in range(0, len(histories), SCORE_ROWS):
            part = histories.take(np.arange(start, min(start + SCORE_ROWS, len(histories))))
            seqs = basket_sequences(part, max_baskets=self.max_baskets, n_items=n_sold)
            block = self._last_states(seqs) @ self.weights_["item.weight"].T
            block += self.weights_["item_bias"]
            out[start : start + len(part), :n_sold] = block
        if n_sold < n_items:
            out[:, n_sold:] = out[:, :n_sold].min(axis=1, keepdims=True) - 1.0
        return out

    def _last_states(self, seqs: BasketSequences) -> np.ndarray:
        """Return the state after each customer's last basket, ``(customers, dim)``.

        Customers whose purchases are all of products unknown to the network get the
        state of an empty sequence (zeros before the final norm).
        """
        w = self.weights_
        n, dim = len(seqs.lengths), self.dim
        width = max(int(seqs.lengths.max(initial=0)), 1)
        items = w["item.weight"][seqs.items]
        sums = np.add.reduceat(items, seqs.item_start[:-1], axis=0) if len(items) else items
        bag = sums / np.diff(seqs.item_start)[:, None]
        x = bag + w["position.weight"][seqs.position] + w["gap.weight"][seqs.gap]
        grid = np.zeros((n, width, dim), dtype=np.float32)
        grid[seqs.customer, seqs.position] = x
        future = np.triu(np.ones((width, width), dtype=bool), k=1)
        heads = self.heads
        for layer in range(self.layers):
            p = f"blocks.{layer}."
            h = _layer_norm(grid, w[p + "norm1.weight"], w[p + "norm1.bias"])
            qkv = h @ w[p + "qkv.weight"].T + w[p + "qkv.bias"]
            q, k, v = (t.reshape(n, width, heads, dim // heads).transpose(0, 2, 1, 3)
                       for t in np.split(qkv, 3, axis=-1))
            att = (q @ k.transpose(0, 1, 3, 2)) / np.float32(math.sqrt(dim // heads))
            att[..., future] = -np.inf
            att = np.exp(att - att.max(axis=-1, keepdims=True))
            att /= att.sum(axis=-1, keepdims=True)
            y = (att @ v).transpose(0, 2, 1, 3).reshape(n, width, dim)
            grid = grid + y @ w[p + "out.weight"].T + w[p + "out.bias"]
            h = _layer_norm(grid, w[p + "norm2.weight"], w[p + "norm2.bias"])
            ff = _gelu(h @ w[p + "ff1.weight"].T + w[p + "ff1.bias"])
            grid = grid + ff @ w[p + "ff2.weight"].T + w[p + "ff2.bias"]
        last = grid[np.arange(n), np.maximum(seqs.lengths - 1, 0)]
        return _layer_norm(last, w["norm.weight"], w["norm.bias"]).astype(np.float32)
