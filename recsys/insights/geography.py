"""Where the shop sells: revenue and customers by country, with ISO codes for a map.

Shop exports name countries in words, and not always as a map does: the UCI data has
"EIRE", "RSA", "USA", "Channel Islands", "European Community" and "Unspecified".
:func:`country_code` maps the names of the UCI Online Retail exports and the common names
of countries onto ISO 3166-1 alpha-3 codes from a table kept here (nothing is looked up
on line); a name that is no single country ("European Community", "West Indies",
"Channel Islands", "Unspecified") has no code, and the map lists it in words.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from recsys.data import schema as S
from recsys.insights.overview import top_countries

ISO3 = "iso3"

COUNTRY_CODES: dict[str, str] = {
    # the UCI Online Retail I and II exports' names
    "united kingdom": "GBR", "france": "FRA", "australia": "AUS", "netherlands": "NLD",
    "germany": "DEU", "norway": "NOR", "eire": "IRL", "switzerland": "CHE", "spain": "ESP",
    "poland": "POL", "portugal": "PRT", "italy": "ITA", "belgium": "BEL", "lithuania": "LTU",
    "japan": "JPN", "iceland": "ISL", "denmark": "DNK", "cyprus": "CYP", "sweden": "SWE",
    "austria": "AUT", "israel": "ISR", "finland": "FIN", "bahrain": "BHR", "greece": "GRC",
    "hong kong": "HKG", "singapore": "SGP", "lebanon": "LBN", "united arab emirates": "ARE",
    "saudi arabia": "SAU", "czech republic": "CZE", "canada": "CAN", "brazil": "BRA",
    "usa": "USA", "malta": "MLT", "rsa": "ZAF", "korea": "KOR", "thailand": "THA",
    "nigeria": "NGA", "bermuda": "BMU",
    # other common names of the same countries
    "uk": "GBR", "great britain": "GBR", "england": "GBR", "scotland": "GBR", "wales": "GBR",
    "northern ireland": "GBR", "ireland": "IRL", "republic of ireland": "IRL",
    "united states": "USA", "united states of america": "USA", "us": "USA",
    "south africa": "ZAF", "south korea": "KOR", "republic of korea": "KOR",
    "czechia": "CZE", "holland": "NLD", "the netherlands": "NLD", "uae": "ARE",
    "deutschland": "DEU", "espana": "ESP", "españa": "ESP", "italia": "ITA", "suisse": "CHE",
    "schweiz": "CHE", "österreich": "AUT", "sverige": "SWE", "norge": "NOR", "danmark": "DNK",
    "new zealand": "NZL", "china": "CHN", "india": "IND", "mexico": "MEX", "russia": "RUS",
    "russian federation": "RUS", "turkey": "TUR", "türkiye": "TUR", "luxembourg": "LUX",
    "hungary": "HUN", "romania": "ROU", "bulgaria": "BGR", "croatia": "HRV", "slovenia": "SVN",
    "slovakia": "SVK", "estonia": "EST", "latvia": "LVA", "ukraine": "UKR", "serbia": "SRB",
    "argentina": "ARG", "chile": "CHL", "colombia": "COL", "peru": "PER", "egypt": "EGY",
    "morocco": "MAR", "kenya": "KEN", "qatar": "QAT", "kuwait": "KWT", "oman": "OMN",
    "jordan": "JOR", "taiwan": "TWN", "malaysia": "MYS", "indonesia": "IDN",
    "philippines": "PHL", "vietnam": "VNM", "viet nam": "VNM", "pakistan": "PAK",
    "bangladesh": "BGD", "sri lanka": "LKA",
    "jersey": "JEY", "guernsey": "GGY", "isle of man": "IMN", "gibraltar": "GIB",
    "monaco": "MCO", "liechtenstein": "LIE", "andorra": "AND", "san marino": "SMR",
}
"""Lower-case country name -> ISO 3166-1 alpha-3 code."""

NO_COUNTRY: frozenset[str] = frozenset({
    "channel islands", "european community", "european union", "eu", "west indies",
    "unspecified", "unknown", "other", "n/a", "na", "none", "",
})
"""Names that are no single country (several, a bloc, or none): never placed on a map."""


def country_code(name: object) -> str | None:
    """Return the ISO 3166-1 alpha-3 code of a country name, or None when it has none.

    Case, spaces, dots and a leading "the" do not matter (``"U.S.A."``, ``" the
    Netherlands"``); a name that already is a code of the table (``"GBR"``) is its own.
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return None
    key = re.sub(r"\s+", " ", str(name).replace(".", "")).strip().lower()
    if key in NO_COUNTRY:
        return None
    code = COUNTRY_CODES.get(key) or COUNTRY_CODES.get(re.sub(r"^the ", "", key))
    if code is None and key.upper() in set(COUNTRY_CODES.values()):
        code = key.upper()
    return code


def country_figures(transactions: pd.DataFrame) -> pd.DataFrame:
    """Return revenue, orders and customers of every country, with its ISO code.

    Parameters
    ----------
    transactions : DataFrame
        Canonical lines with ``country`` (see
        :func:`recsys.insights.overview.top_countries`; with ``cancelled_quantity`` the
        figures are net).

    Returns
    -------
    DataFrame
        ``country``, ``iso3`` (string, <NA> for a name that is no single country),
        ``revenue``, ``orders``, ``customers``, ``units``, ``share`` (of revenue, in
        [0, 1]), ``cancelled``; highest revenue first.
    """
    n = int(transactions[S.COUNTRY].nunique(dropna=False)) if S.COUNTRY in transactions else 1
    figures = top_countries(transactions, n=max(n, 1))
    codes = [country_code(c) for c in figures[S.COUNTRY]]
    figures.insert(1, ISO3, pd.array(codes, dtype="string"))
    return figures


def unplaced(figures: pd.DataFrame, *, drawable: set[str] | None = None) -> pd.DataFrame:
    """Return the rows of :func:`country_figures` a map cannot show.

    Those without a code, and, when ``drawable`` (the codes the map's outlines have) is
    given, those whose country is too small for the map's scale.
    """
    code = figures[ISO3]
    missing = code.isna().to_numpy()
    if drawable is not None:
        missing |= ~code.fillna("").isin(drawable).to_numpy()
    return figures[np.asarray(missing, dtype=bool)].reset_index(drop=True)
