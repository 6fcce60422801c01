"""The network of the sequence recommender and its training loop (PyTorch, CPU).

Imported only when a :class:`~recsys.recommend.sequence.SequenceRecommender` is fitted,
so ``recsys`` works without PyTorch. The network is SASRec-style (Kang & McAuley, 2018)
over baskets rather than single products: each basket is the mean of its products'
embeddings plus a position and a "days since the previous basket" embedding; causal
self-attention blocks read the sequence, and the state after basket ``j`` scores every
product against the same embeddings (tied weights) plus a per-product bias. The loss is
the multinomial log-likelihood of the products bought in the following days (full
softmax over the catalogue: a few thousand products is cheap on a CPU).

After training the weights are handed back as NumPy arrays; scoring is NumPy only
(:mod:`recsys.recommend.sequence`), so a fitted model needs no PyTorch to serve.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from recsys.recommend.sequences import GAP_BUCKETS, BasketSequences, next_items


class Block(nn.Module):
    """Pre-norm causal self-attention and feed-forward, each with a residual."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, 2 * dim)
        self.ff2 = nn.Linear(2 * dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(dim, dim=-1)

        def heads(t):
            return t.view(batch, length, self.heads, dim // self.heads).transpose(1, 2)

        q, k, v = heads(q), heads(k), heads(v)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(dim // self.heads)
        att = self.drop(torch.softmax(att.masked_fill(mask, float("-inf")), dim=-1))
        y = (att @ v).transpose(1, 2).reshape(batch, length, dim)
        x = x + self.drop(self.out(y))
        return x + self.drop(self.ff2(self.drop(F.gelu(self.ff1(self.norm2(x))))))


class SequenceNet(nn.Module):
    """Baskets in, a score for every product after each basket out."""

    def __init__(self, n_items: int, *, dim: int, layers: int, heads: int, max_baskets: int,
                 dropout: float):
        super().__init__()
        self.item = nn.Embedding(n_items, dim)
        self.item_bias = nn.Parameter(torch.zeros(n_items))
        self.position = nn.Embedding(max_baskets, dim)
        self.gap = nn.Embedding(GAP_BUCKETS, dim)
        self.blocks = nn.ModuleList(Block(dim, heads, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        nn.init.normal_(self.item.weight, std=dim ** -0.5)
        nn.init.normal_(self.position.weight, std=0.02)
        nn.init.normal_(self.gap.weight, std=0.02)

    def forward(self, items, item_start, slot, position, gap, shape) -> torch.Tensor:
        """Return the states ``(customers, baskets, dim)`` after each basket.

        ``slot`` is each basket's flat index in the padded ``shape`` grid.
        """
        bag = F.embedding_bag(items, self.item.weight, item_start[:-1], mode="mean")
        x = bag + self.position(position) + self.gap(gap)
        grid = torch.zeros(shape[0] * shape[1], x.shape[1], dtype=x.dtype)
        grid = grid.index_copy(0, slot, self.drop(x)).view(shape[0], shape[1], -1)
        mask = torch.triu(torch.ones(shape[1], shape[1], dtype=torch.bool), diagonal=1)
        for block in self.blocks:
            grid = block(grid, mask)
        return self.norm(grid)

    def scores(self, states: torch.Tensor) -> torch.Tensor:
        return states @ self.item.weight.T + self.item_bias


@contextmanager
def torch_settings(seed: int, threads: int):
    """Seed, thread count and deterministic kernels for one fit; restored afterwards."""
    before_threads = torch.get_num_threads()
    before_det = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.set_num_threads(before_threads)
            torch.use_deterministic_algorithms(before_det)


def batch_tensors(seqs: BasketSequences, customers: np.ndarray, first_basket: np.ndarray):
    """Return the network's inputs for the given customers and their basket indices."""
    lengths = seqs.lengths[customers]
    baskets = np.concatenate([np.arange(first_basket[c], first_basket[c] + n)
                              for c, n in zip(customers, lengths, strict=True)])
    lo, hi = seqs.item_start[baskets], seqs.item_start[baskets + 1]
    counts = hi - lo
    flat = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    flat = flat + np.arange(counts.sum())
    width = int(lengths.max())
    row = np.repeat(np.arange(len(customers)), lengths)
    slot = row * width + seqs.position[baskets]
    inputs = (
        torch.from_numpy(seqs.items[flat]),
        torch.from_numpy(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)),
        torch.from_numpy(slot.astype(np.int64)),
        torch.from_numpy(seqs.position[baskets]),
        torch.from_numpy(seqs.gap[baskets]),
        (len(customers), width),
    )
    return inputs, baskets, slot


def length_batches(lengths: np.ndarray, customers: np.ndarray, batch_size: int,
                   rng: np.random.Generator) -> list[np.ndarray]:
    """Return batches of customers of similar sequence length, in random order.

    Customers are shuffled, then sorted by length (a stable sort keeps the shuffle among
    equal lengths), cut into batches, and the batches shuffled: little padding, and a
    different grouping each epoch.
    """
    shuffled = rng.permutation(customers)
    ordered = shuffled[np.argsort(lengths[shuffled], kind="stable")]
    batches = [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def bought_before(seqs: BasketSequences, baskets: np.ndarray, slot: np.ndarray,
                  has: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, item) pairs of the products bought up to each training position.

    Rows number the positions with targets (``slot[has]``, in order); the network is
    not asked to rank these products, as they are never recommended again.
    """
    row_of = np.full(int(slot.max()) + width + 1, -1, dtype=np.int64)
    row_of[slot[has]] = np.arange(int(has.sum()))
    lo, hi = seqs.item_start[baskets], seqs.item_start[baskets + 1]
    counts = hi - lo
    flat = np.repeat(lo - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    flat = flat + np.arange(counts.sum())
    item_slot = np.repeat(slot, counts)
    # an item of the basket in slot s is masked at s and every later slot of that customer
    end_slot = np.repeat(slot - seqs.position[baskets] + seqs.lengths[seqs.customer[baskets]],
                         counts)
    span = end_slot - item_slot
    rows = np.repeat(item_slot - np.concatenate([[0], np.cumsum(span)[:-1]]), span)
    rows = row_of[rows + np.arange(span.sum())]
    items = np.repeat(seqs.items[flat], span)
    keep = rows >= 0
    return rows[keep], items[keep]


def basket_loss(net: SequenceNet, seqs: BasketSequences, baskets: np.ndarray,
                rng: np.random.Generator) -> torch.Tensor:
    """Return the loss of completing baskets: half of each basket's products predict the rest.

    A co-purchase task on every basket (also a customer's last one), which teaches the
    product embeddings what is bought together beyond what the sequences alone show.
    """
    lo, hi = seqs.item_start[baskets], seqs.item_start[baskets + 1]
    size = hi - lo
    keep = size >= 2
    lo, size = lo[keep], size[keep]
    owner = np.repeat(np.arange(len(lo)), size)
    flat = np.repeat(lo - np.concatenate([[0], np.cumsum(size)[:-1]]), size)
    flat = flat + np.arange(size.sum())
    order = np.lexsort((rng.random(len(flat)), owner))
    rank = np.arange(len(flat)) - np.repeat(np.concatenate([[0], np.cumsum(size)[:-1]]), size)
    given = rank < np.repeat(size // 2, size)
    items, owner = seqs.items[flat[order]], owner[order]
    g_items, g_owner = items[given], owner[given]
    h_items, h_owner = items[~given], owner[~given]
    g_count = np.bincount(g_owner, minlength=len(lo))
    offsets = np.concatenate([[0], np.cumsum(g_count)[:-1]]).astype(np.int64)
    bag = F.embedding_bag(torch.from_numpy(g_items), net.item.weight,
                          torch.from_numpy(offsets), mode="mean")
    logits = net.scores(bag).index_put(
        (torch.from_numpy(g_owner), torch.from_numpy(g_items)), torch.tensor(float("-inf")))
    logp = torch.log_softmax(logits, dim=-1)
    h_count = np.bincount(h_owner, minlength=len(lo))
    weight = torch.from_numpy((1.0 / h_count[h_owner]).astype(np.float32))
    picked = logp[torch.from_numpy(h_owner), torch.from_numpy(h_items)]
    return -(picked * weight).sum() / len(lo)


def train_network(
    seqs: BasketSequences,
    n_items: int,
    *,
    dim: int,
    layers: int,
    heads: int,
    max_baskets: int,
    dropout: float,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    weight_decay: float,
    horizon_days: float,
    mask_bought: bool = True,
    basket_weight: float = 0.0,
    prior: np.ndarray | None = None,
    seed: int,
    threads: int,
    on_epoch: Callable[[int, float, Callable[[], dict[str, np.ndarray]]], None] | None = None,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train the network on every customer's baskets; return its weights and the loss per epoch.

    Returns
    -------
    weights : dict of str to ndarray
        The state dict as float32 NumPy arrays.
    losses : list of float
        Mean training loss of each epoch.
    """
    target_basket, target_item = next_items(seqs, horizon_days=horizon_days)
    per_basket = np.bincount(target_basket, minlength=seqs.n_baskets)
    first_basket = np.concatenate([[0], np.cumsum(seqs.lengths)[:-1]])
    # customers with at least one basket followed by another: the ones that teach
    trainable = np.flatnonzero(np.bincount(seqs.customer, weights=per_basket > 0,
                                           minlength=len(seqs.lengths)) > 0)
    rng = np.random.default_rng(seed)
    losses: list[float] = []
    with torch_settings(seed, threads):
        net = SequenceNet(n_items, dim=dim, layers=layers, heads=heads,
                          max_baskets=max_baskets, dropout=dropout)
        if prior is not None:
            with torch.no_grad():
                net.item_bias.copy_(torch.from_numpy(prior.astype(np.float32)))
        optimiser = torch.optim.AdamW(net.parameters(), lr=learning_rate,
                                      weight_decay=weight_decay)
        steps = epochs * -(-len(trainable) // batch_size)
        # the learning rate falls linearly to zero: the last epochs settle the weights
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: max(0.0, 1.0 - step / max(steps, 1)))
        target_start = np.concatenate([[0], np.cumsum(per_basket)])
        net.train()
        for epoch in range(epochs):
            total, count = 0.0, 0
            for customers in length_batches(seqs.lengths, trainable, batch_size, rng):
                inputs, baskets, slot = batch_tensors(seqs, customers, first_basket)
                has = per_basket[baskets] > 0
                states = net(*inputs).reshape(-1, dim)[torch.from_numpy(slot[has])]
                logits = net.scores(states)
                if mask_bought:
                    r, c = bought_before(seqs, baskets, slot, has, inputs[5][1])
                    logits = logits.index_put((torch.from_numpy(r), torch.from_numpy(c)),
                                              torch.tensor(float("-inf")))
                logp = torch.log_softmax(logits, dim=-1)
                picked = baskets[has]
                n_t = per_basket[picked]
                rows = np.repeat(np.arange(len(picked)), n_t)
                cols = target_item[np.concatenate(
                    [np.arange(target_start[b], target_start[b + 1]) for b in picked])]
                weight = torch.from_numpy((1.0 / n_t[rows]).astype(np.float32))
                loss = -(logp[torch.from_numpy(rows), torch.from_numpy(cols)] * weight).sum()
                loss = loss / len(picked)
                if basket_weight > 0:
                    loss = loss + basket_weight * basket_loss(net, seqs, baskets, rng)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += float(loss.detach()) * len(picked)
                count += len(picked)
            losses.append(total / max(count, 1))
            if on_epoch is not None:
                on_epoch(epoch, losses[-1], lambda: numpy_weights(net))
        weights = numpy_weights(net)
    return weights, losses


def numpy_weights(net: nn.Module) -> dict[str, np.ndarray]:
    """Return a copy of the network's weights as float32 NumPy arrays."""
    return {k: v.detach().numpy().astype(np.float32).copy() for k, v in net.state_dict().items()}
