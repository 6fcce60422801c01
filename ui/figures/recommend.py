"""Figures and labels of the Customer and Evaluation pages.

Builders take the evaluation table of :func:`recsys.evaluation.compare.evaluate_models` and
return plotly figures or display-ready tables. Text from the data is escaped: plotly
reads a few HTML tags in labels, and product text must show as typed, never as markup.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.figures.common import plain_label

MODEL = "model"
SLICE = "slice"
USERS = "users"

MODEL_LABELS: dict[str, str] = {
    "hybrid": "Hybrid",
    "popularity": "Popularity",
    "als": "ALS (implicit)",
    "itemknn": "Item-kNN",
    "ease": "EASE",
    "content": "Content (TF-IDF)",
    "sequence": "Neural sequence",
}
"""Display names of the models of ``recsys.evaluation.compare.default_models``."""

MODEL_COLOURS: dict[str, str] = {
    "hybrid": "#2563eb",
    "popularity": "#9ca3af",
    "als": "#f59e0b",
    "itemknn": "#10b981",
    "ease": "#8b5cf6",
    "content": "#ec4899",
    "sequence": "#0891b2",
}
OTHER_COLOUR = "#6b7280"

SLICE_ORDER: tuple[str, ...] = (
    "with history",
    "no history",
    "1–2 invoices",
    "3–9 invoices",
    "10+ invoices",
)
"""Slices of the evaluation, in the order a reader meets them."""

METRIC_LABELS: dict[str, str] = {
    "precision": "Precision@{k}",
    "recall": "Recall@{k}",
    "ndcg": "NDCG@{k}",
    "hit_rate": "Hit rate@{k}",
    "map": "MAP@{k}",
    "coverage": "Catalogue coverage",
    "novelty": "Novelty (bits)",
}
"""Column labels of the metrics; ``{k}`` is filled with the cut-off."""


def model_label(model: object) -> str:
    """Return the display name of a model key (the key itself when unknown)."""
    return MODEL_LABELS.get(str(model), str(model))


def metric_label(metric: str, *, k: int) -> str:
    """Return the display label of a metric column, e.g. ``"NDCG@10"``."""
    return METRIC_LABELS.get(metric, metric).format(k=k)


def ordered_slices(slices: pd.Series) -> list[str]:
    """Return the slices present, in :data:`SLICE_ORDER` first, then any others."""
    present = list(dict.fromkeys(str(s) for s in slices))
    known = [s for s in SLICE_ORDER if s in present]
    return known + [s for s in present if s not in known]


def ordered_models(models: pd.Series) -> list[str]:
    """Return the model keys present, the hybrid first, the others in their given order."""
    present = list(dict.fromkeys(str(m) for m in models))
    if "hybrid" in present:
        present.insert(0, present.pop(present.index("hybrid")))
    return present


def evaluation_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return the evaluation table ordered for reading, with display names of the models.

    Rows are grouped by slice (in :data:`SLICE_ORDER`), the hybrid first within each;
    ``model`` holds the display name. The input is not changed.
    """
    slice_rank = {s: i for i, s in enumerate(ordered_slices(table[SLICE]))}
    model_rank = {m: i for i, m in enumerate(ordered_models(table[MODEL]))}
    order = sorted(
        range(len(table)),
        key=lambda i: (
            slice_rank[str(table[SLICE].iloc[i])],
            model_rank[str(table[MODEL].iloc[i])],
        ),
    )
    out = table.iloc[order].reset_index(drop=True)
    return out.assign(**{MODEL: out[MODEL].map(model_label), SLICE: out[SLICE].astype(str)})


def headline(
    table: pd.DataFrame, *, metric: str = "ndcg", slice_: str = "with history"
) -> tuple[float, str, float] | None:
    """Return ``(hybrid value, best baseline key, its value)`` of one metric and slice.

    ``None`` when the table lacks the hybrid, any baseline or the slice.
    """
    rows = table[table[SLICE].astype(str) == slice_]
    values = dict(zip(rows[MODEL].astype(str), rows[metric].astype(float), strict=True))
    if "hybrid" not in values or len(values) < 2:
        return None
    best = max((m for m in values if m != "hybrid"), key=lambda m: values[m])
    return values["hybrid"], best, values[best]


def reach_sentence(
    table: pd.DataFrame, *, k: int, test_days: int, slice_: str = "with history"
) -> tuple[str, str] | None:
    """Return the Evaluation page's lead: what share of customers bought a suggestion.

    The hit rate says it in a marketer's words: "55% of customers bought at least one of
    their 10 suggestions in the next 30 days (vs 23% for best-sellers)". The comparison is
    the popularity baseline (the best-sellers); the fine print names who was counted and,
    when another baseline did better than best-sellers, that one too.

    Parameters
    ----------
    table : DataFrame
        Columns ``model``, ``slice``, ``users``, ``hit_rate`` (as
        :func:`recsys.evaluation.compare.evaluate_models` returns).
    k, test_days : int
        Suggestions per customer and days after the cut, for the words.
    slice_ : str, default "with history"
        The group of customers the sentence speaks of.

    Returns
    -------
    (sentence, fine print) or None
        Markdown; ``None`` when the table lacks the hybrid or the slice.
    """
    rows = table[table[SLICE].astype(str) == slice_]
    rates = dict(zip(rows[MODEL].astype(str), rows["hit_rate"].astype(float), strict=True))
    if "hybrid" not in rates:
        return None
    days = f"{test_days} day{'s' if test_days != 1 else ''}"
    sentence = (f"**{rates['hybrid']:.0%}** of customers bought at least one of their {k} "
                f"suggestion{'s' if k != 1 else ''} in the next {days}")
    if "popularity" in rates:
        sentence += f" (vs {rates['popularity']:.0%} for best-sellers)"
    users = int(rows[USERS].max())
    fine = (f"Counted over the {users:,} customers who had bought before the cut and bought "
            f"something new in the {days} after it; best-sellers: everyone gets the {k} "
            "products most customers bought.")
    others = {m: r for m, r in rates.items() if m not in ("hybrid", "popularity")}
    if others:
        best = max(others, key=others.get)
        if others[best] > rates.get("popularity", -1.0):
            fine += f" The best other baseline, {model_label(best)}, reached {others[best]:.0%}."
    return sentence + ".", fine


def side_by_side(table: pd.DataFrame, extra: pd.DataFrame, *, metric: str = "ndcg",
                 model: str = "sequence") -> pd.DataFrame:
    """Return one metric of the hybrid, the best baseline and ``model``, per history slice.

    Parameters
    ----------
    table : DataFrame
        The evaluation table (``model``, ``slice``, ``users`` and the metric columns).
    extra : DataFrame
        The same columns for ``model``, evaluated on the same split.

    Returns
    -------
    DataFrame
        ``model`` (display name) and one column per slice present in both tables (in
        :data:`SLICE_ORDER`); rows: the hybrid, the best baseline of the "with history"
        slice, then ``model``. Empty when ``table`` lacks the hybrid or any baseline.
    """
    top = headline(table, metric=metric)
    if top is None:
        return pd.DataFrame(columns=[MODEL])
    both = pd.concat([table, extra[extra[MODEL].astype(str) == model]], ignore_index=True)
    keep = [m for m in ("hybrid", top[1], model) if m in set(both[MODEL].astype(str))]
    wide = both[both[MODEL].astype(str).isin(keep)].pivot_table(
        index=MODEL, columns=SLICE, values=metric, aggfunc="first")
    slices = [s for s in ordered_slices(table[SLICE]) if s in set(extra[SLICE].astype(str))]
    wide = wide.reindex(index=keep, columns=slices)
    wide.columns = [str(c) for c in wide.columns]
    out = wide.reset_index()
    return out.assign(**{MODEL: out[MODEL].map(model_label)})


def small_slices(table: pd.DataFrame, *, minimum: int = 20) -> list[tuple[str, int]]:
    """Return ``(slice, users)`` of the slices with fewer than ``minimum`` customers scored."""
    from recsys.evaluation.compare import customers_per_slice

    users = customers_per_slice(table)
    return [(s, int(users[s])) for s in ordered_slices(table[SLICE]) if users[s] < minimum]


def metric_by_slice(table: pd.DataFrame, *, metric: str = "ndcg", k: int = 10) -> go.Figure:
    """Grouped bar chart of one metric per history slice, one bar per model.

    Parameters
    ----------
    table : DataFrame
        Columns ``model``, ``slice``, ``users`` and the ``metric`` column (as
        :func:`recsys.evaluation.compare.evaluate_models` returns).
    metric : str, default "ndcg"
        The metric column to draw.
    k : int, default 10
        The cut-off, for labels.

    Returns
    -------
    plotly Figure
        Slices on the x axis (with how many customers each holds), the metric on the
        y axis, the hybrid first and in the accent colour, values written on the bars.
    """
    from recsys.evaluation.compare import customers_per_slice

    slices = ordered_slices(table[SLICE])
    users = customers_per_slice(table)
    tick = {s: f"{plain_label(s)}<br>{_customers(int(users.get(s, 0)))}" for s in slices}
    models = ordered_models(table[MODEL])
    label = metric_label(metric, k=k)
    decimals = 2 if metric == "novelty" else 3
    fig = go.Figure()
    for model in models:
        rows = table[table[MODEL].astype(str) == model].set_index(SLICE)
        values = [float(rows[metric].get(s, float("nan"))) for s in slices]
        fig.add_trace(
            go.Bar(
                name=plain_label(model_label(model)),
                x=[tick[s] for s in slices],
                y=values,
                marker_color=MODEL_COLOURS.get(model, OTHER_COLOUR),
                text=[f"{v:.{decimals}f}" if v == v else "" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{fullData.name}}<br>%{{x}}<br>{label}: %{{y:.{decimals}f}}<extra></extra>",
            )
        )
    bounded = metric not in ("novelty",)
    top = table[metric].max() if len(table) else 1.0
    fig.update_layout(
        barmode="group",
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": {"text": "Model"}},
        hoverlabel={"align": "left"},
        font={"size": 13},
        uniformtext={"minsize": 9, "mode": "hide"},
    )
    fig.update_yaxes(
        title_text=f"{label} ({'0–1, ' if bounded else ''}higher is better)",
        gridcolor="#e5e7eb",
        rangemode="tozero",
        range=[0, (top if top == top and top > 0 else 1.0) * 1.18],
    )
    fig.update_xaxes(title_text="Customers, by purchase history before the cut date")
    return fig


def _customers(n: int) -> str:
    return f"{n:,} customer" + ("" if n == 1 else "s")


SETTING_LABELS: dict[str, str] = {
    "l2": "Co-purchase smoothing (EASE λ)",
    "k": "Co-purchase neighbours",
    "half_life_days": "Purchase weight halves after (days)",
    "trend_half_life_days": "'Popular now' half-life (days)",
    "weights_light": "Blend, 1–2 invoices",
    "weights_rich": "Blend, 3+ invoices",
    "cap": "Cap: one product in top 5 of",
}
"""Display names of the rows of the hybrid's ``tuning_`` table."""

PART_LABELS: dict[str, str] = {
    "trend": "popular now",
    "content": "text",
    "profile": "profile",
}
"""Display names of the blend's parts in the weights rows (co-purchase weighs 1)."""


def _setting_text(setting: str, text: object) -> str:
    text = str(text)
    if setting == "cap":
        try:
            return f"{float(text):.0%}"
        except ValueError:
            return "no cap" if text == "none" else text
    if setting.startswith("weights_"):
        parts = []
        for piece in text.split(", "):
            name, _, value = piece.rpartition(" ")
            parts.append(f"{PART_LABELS.get(name, name)} {value}")
        return ", ".join(parts)
    return text


def settings_display(settings: pd.DataFrame) -> pd.DataFrame:
    """Return the hybrid's ``tuning_`` table with readable setting names and values.

    Columns ``setting``, ``value``, ``default`` (text), ``ndcg``, ``ndcg_default``; the
    input is not changed.
    """
    out = settings.copy()
    out["value"] = [_setting_text(s, v) for s, v in zip(out["setting"], out["value"], strict=True)]
    out["default"] = [_setting_text(s, v) for s, v in zip(out["setting"], out["default"], strict=True)]
    out["setting"] = out["setting"].map(lambda s: SETTING_LABELS.get(str(s), str(s)))
    return out


def sameness_sentence(table: pd.DataFrame, *, slice_: str = "with history") -> str | None:
    """Return how concentrated each model's lists are, in one sentence.

    E.g. "Sameness: the hybrid's most-recommended product is in the top 5 of 25% of these
    customers (EASE 40%, Popularity 96%); Gini 0.90 (0 = every product as often, 1 = one
    product for all)." None when the table has no ``top_share`` or no hybrid row.
    """
    if "top_share" not in table.columns:
        return None
    rows = table[table[SLICE].astype(str) == slice_].set_index(MODEL)
    if "hybrid" not in rows.index:
        return None
    others = ", ".join(f"{model_label(m)} {rows.loc[m, 'top_share']:.0%}"
                       for m in ordered_models(pd.Series(rows.index)) if m != "hybrid")
    hybrid = rows.loc["hybrid"]
    return (f"Sameness: the hybrid's most-recommended product is in the top 5 of "
            f"{hybrid['top_share']:.0%} of these customers" + (f" ({others})" if others else "")
            + f"; Gini {hybrid['gini']:.2f} (0 = every product as often, 1 = one product for all).")
