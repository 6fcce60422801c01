"""Figures of the Baskets page: the strongest product pairs, rules by support and confidence.

Builders take frames from :mod:`recsys.baskets.insights` / :mod:`recsys.baskets.itemsets` and
return plotly figures. Product descriptions are escaped (plotly reads a few HTML tags).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.figures.common import apply_layout, plain_label

LABEL_CHARS = 32

_plain = partial(plain_label, limit=LABEL_CHARS)


def pair_heatmap(pairs: pd.DataFrame) -> go.Figure:
    """Heatmap of lift between the products of the strongest pairs.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`recsys.baskets.insights.top_pairs`: ``antecedent``, ``consequent``,
        ``lift``, ``confidence``, ``support``.
    """
    names = list(dict.fromkeys([*pairs["antecedent"], *pairs["consequent"]]))
    best = pairs.sort_values("lift").drop_duplicates(["antecedent", "consequent"], keep="last")
    cells = best.set_index(["antecedent", "consequent"])
    grid = cells["lift"].unstack().reindex(index=names, columns=names)
    conf = cells["confidence"].unstack().reindex(index=names, columns=names)
    labels = [_plain(n) for n in names]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(dtype=float),
            x=labels,
            y=labels,
            customdata=np.nan_to_num(conf.to_numpy(dtype=float) * 100),
            colorscale="Oranges",
            colorbar={"title": {"text": "Lift (×)"}},
            hovertemplate=(
                "Baskets with %{y}<br>also hold %{x}: %{customdata:.0f}%<br>"
                "Lift: %{z:.1f}× baskets in general<extra></extra>"
            ),
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="Basket holds…")
    fig.update_xaxes(title_text="…also holds", tickangle=-40)
    return apply_layout(fig, height=max(380, 30 * len(names) + 200), grid=False)


def rules_scatter(rules: pd.DataFrame, *, n: int = 300) -> go.Figure:
    """Scatter of the top ``n`` rules by lift: support (x, % of baskets) against
    confidence (y, %), coloured by lift; hover shows the rule in words."""
    top = rules.head(n)
    fig = go.Figure(
        go.Scatter(
            x=top["support"] * 100,
            y=top["confidence"] * 100,
            mode="markers",
            marker={"color": top["lift"], "colorscale": "Viridis", "size": 9,
                    "colorbar": {"title": {"text": "Lift (×)"}}},
            text=[_plain(s, limit=140) for s in top["sentence"]],
            hovertemplate="%{text}<br>Support: %{x:.2f}% of baskets<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Support (% of baskets holding the whole set)", ticksuffix="%",
                     gridcolor="#e5e7eb")
    fig.update_yaxes(title_text="Confidence (% of antecedent baskets)", ticksuffix="%",
                     gridcolor="#e5e7eb")
    return apply_layout(fig, height=380, grid=False)
