"""Product catalogue of a generated shop: categories, descriptions, prices, bundles.

Descriptions are built from a vocabulary per category (UPPERCASE, like the UCI data:
"WHITE HANGING HEART T-LIGHT HOLDER"), so products of one category share words and
text similarity between descriptions means something. Prices are lognormal around a
median per category.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.errors import ParameterError


@dataclass(frozen=True)
class CategorySpec:
    """Vocabulary and price level of one product category."""

    name: str
    weight: float
    median_price: float
    nouns: tuple[str, ...]
    modifiers: tuple[str, ...]


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("Kitchen", 1.3, 2.95,
                 ("MUG", "TEA TOWEL", "CAKE TIN", "LUNCH BOX", "JAM JAR", "TEAPOT",
                  "BAKING CASES", "CHOPPING BOARD", "EGG CUP", "SPOON SET", "APRON"),
                 ("KITCHEN", "BAKING", "TEATIME", "ENAMEL", "CERAMIC", "PANTRY")),
    CategorySpec("Candles & Lights", 1.1, 2.55,
                 ("T-LIGHT HOLDER", "CANDLE", "LANTERN", "FAIRY LIGHTS", "NIGHT LIGHT",
                  "CANDLE POT", "STRING LIGHTS", "TEA LIGHTS"),
                 ("HANGING", "GLASS", "SCENTED", "MOROCCAN", "STAR", "HEART")),
    CategorySpec("Garden", 0.7, 4.25,
                 ("PLANT POT", "WATERING CAN", "BIRD HOUSE", "GARDEN SIGN", "SEED TIN",
                  "TROWEL", "PLANTER", "WIND CHIME", "HERB MARKER"),
                 ("GARDEN", "ZINC", "WOODEN", "HANGING", "BIRD", "FLOWER")),
    CategorySpec("Stationery", 1.0, 1.25,
                 ("NOTEBOOK", "PENCILS", "GIFT WRAP", "GREETING CARD", "STICKERS",
                  "ERASER", "PEN", "MEMO PAD", "WRAPPING PAPER", "BOOKMARK"),
                 ("PAPER", "SCHOOL", "DOODLE", "ALPHABET", "PARTY", "POSTCARD")),
    CategorySpec("Toys", 0.9, 2.10,
                 ("SPACEBOY", "DOLLY", "JIGSAW", "SKIPPING ROPE", "SPINNING TOP", "TOY CAR",
                  "PLAYING CARDS", "BALLOON", "KNITTED BEAR", "COLOURING SET"),
                 ("CHILDRENS", "TOY", "RETROSPOT", "DINOSAUR", "CIRCUS", "WOODLAND")),
    CategorySpec("Bags", 1.0, 1.95,
                 ("JUMBO BAG", "LUNCH BAG", "SHOPPER BAG", "TOTE BAG", "CHARLOTTE BAG",
                  "PURSE", "WASHBAG", "STORAGE BAG"),
                 ("JUMBO", "RETROSPOT", "STRAWBERRY", "PAISLEY", "SPOTTY", "WOODLAND")),
    CategorySpec("Christmas", 0.8, 1.65,
                 ("BAUBLE", "TREE DECORATION", "ADVENT CALENDAR", "STOCKING", "WREATH",
                  "CHRISTMAS CRACKERS", "SNOWFLAKE", "GINGERBREAD MAN", "ANGEL"),
                 ("CHRISTMAS", "FESTIVE", "XMAS", "SCANDINAVIAN", "GLITTER", "REINDEER")),
    CategorySpec("Home Decor", 1.1, 4.95,
                 ("PHOTO FRAME", "CUSHION COVER", "WALL CLOCK", "MIRROR", "DOORMAT",
                  "COAT HANGER", "METAL SIGN", "VASE", "DRAWER KNOB", "DOORSTOP"),
                 ("VINTAGE", "SHABBY CHIC", "FRENCH", "HOME SWEET HOME", "ANTIQUE", "HEART")),
    CategorySpec("Party", 0.7, 0.85,
                 ("NAPKINS", "PAPER PLATES", "PARTY BUNTING", "CAKE CASES", "PAPER CUPS",
                  "PARTY BAG", "STRAWS", "CONFETTI", "BANNER"),
                 ("PARTY", "BIRTHDAY", "POLKADOT", "PAPER", "FAIRY", "PIRATE")),
    CategorySpec("Jewellery", 0.6, 1.65,
                 ("NECKLACE", "BRACELET", "EARRINGS", "HAIR CLIP", "RING", "BROOCH",
                  "HAIR BAND", "TRINKET BOX", "KEY RING"),
                 ("DIAMANTE", "BEADED", "SILVER", "GLASS", "FLOWER", "BUTTERFLY")),
)
"""The categories of a generated shop, in a fixed order (customers' affinities refer to it)."""

CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

_COLOURS = ("WHITE", "RED", "PINK", "BLUE", "GREEN", "IVORY", "BLACK", "CREAM",
            "GOLD", "PASTEL", "LILAC", "SKY BLUE")
_STYLES = ("VINTAGE", "RETRO", "SET OF 3", "SET OF 6", "SMALL", "LARGE", "MINI",
           "ASSORTED", "REGENCY", "ENGLISH ROSE")

MIN_PRODUCTS = 2 * len(CATEGORIES)


def make_products(n_products: int, *, rng: np.random.Generator) -> pd.DataFrame:
    """Return a random catalogue of ``n_products`` products.

    Returns
    -------
    DataFrame
        One row per product, ordered by ``product_id``: ``product_id`` (str, a stock code
        like "22423" or "85123A"), ``description`` (str, unique, UPPERCASE), ``category``
        (str, one of :data:`CATEGORY_NAMES`), ``unit_price`` (float, £, two decimals) and
        ``popularity`` (float, relative weight of the product within its category).
    """
    if n_products < MIN_PRODUCTS:
        raise ParameterError(f"n_products must be at least {MIN_PRODUCTS}; got {n_products}")
    weights = np.array([c.weight for c in CATEGORIES])
    # Every category gets at least two products, the rest follow the category weights.
    extra = rng.multinomial(n_products - MIN_PRODUCTS, weights / weights.sum())
    cat_idx = np.repeat(np.arange(len(CATEGORIES)), extra + 2)

    codes = rng.choice(np.arange(20000, 90000), size=n_products, replace=False)
    suffix = np.where(rng.random(n_products) < 0.12, rng.choice(list("ABCDEFGL"), n_products), "")
    product_ids = np.char.add(codes.astype(str), suffix)

    medians = np.array([c.median_price for c in CATEGORIES])[cat_idx]
    raw_price = medians * np.exp(rng.normal(0.0, 0.55, n_products))
    # Prices end like shop prices: 0.05 steps under £10, 0.25 steps above.
    step = np.where(raw_price < 10, 0.05, 0.25)
    unit_price = np.maximum(np.round(raw_price / step) * step, 0.19).round(2)

    descriptions: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(cat_idx):
        descriptions.append(_description(CATEGORIES[c], rng, seen, i))

    # Zipf-like popularity within a category: a few best sellers, a long tail.
    popularity = rng.pareto(1.2, n_products) + 0.05

    products = pd.DataFrame(
        {
            S.PRODUCT_ID: product_ids,
            S.DESCRIPTION: descriptions,
            S.CATEGORY: np.array(CATEGORY_NAMES)[cat_idx],
            S.UNIT_PRICE: unit_price,
            "popularity": popularity,
        }
    )
    return products.sort_values(S.PRODUCT_ID, kind="stable", ignore_index=True)


def _description(spec: CategorySpec, rng: np.random.Generator, seen: set[str], i: int) -> str:
    for _ in range(20):
        words = [spec.nouns[rng.integers(len(spec.nouns))]]
        if rng.random() < 0.8:
            words.insert(0, spec.modifiers[rng.integers(len(spec.modifiers))])
        if rng.random() < 0.6:
            words.insert(0, _COLOURS[rng.integers(len(_COLOURS))])
        if rng.random() < 0.3:
            words.insert(0, _STYLES[rng.integers(len(_STYLES))])
        text = " ".join(dict.fromkeys(words))
        if text not in seen:
            seen.add(text)
            return text
    text = f"{spec.modifiers[i % len(spec.modifiers)]} {spec.nouns[i % len(spec.nouns)]} NO {i}"
    seen.add(text)
    return text


def pick_bundles(
    products: pd.DataFrame, *, rng: np.random.Generator, sizes: tuple[int, ...] = (2, 2, 2, 3, 3)
) -> tuple[tuple[str, ...], ...]:
    """Return planted co-purchase bundles: disjoint tuples of product ids.

    Bundle members are drawn from products of middling popularity (not the best sellers,
    so that the bundle, not the members' own popularity, explains their co-occurrence).

    Parameters
    ----------
    products : DataFrame
        The catalogue from :func:`make_products` (``product_id``, ``popularity``).
    sizes : tuple of int
        Number of products in each bundle.
    """
    order = np.argsort(products["popularity"].to_numpy(), kind="stable")
    lo, hi = len(order) // 5, max(len(order) // 5 + sum(sizes), (4 * len(order)) // 5)
    pool = order[lo:hi]
    chosen = rng.choice(pool, size=sum(sizes), replace=False)
    ids = products[S.PRODUCT_ID].to_numpy()
    bundles, start = [], 0
    for size in sizes:
        bundles.append(tuple(sorted(ids[chosen[start:start + size]])))
        start += size
    return tuple(bundles)
