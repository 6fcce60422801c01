"""Countries of shop exports onto ISO codes for the map, and revenue per country."""

from __future__ import annotations

import pandas as pd
import pytest

from recsys.data import schema as S
from recsys.insights.geography import ISO3, country_code, country_figures, unplaced

UCI_COUNTRIES = {
    # every country name of the UCI Online Retail I and II exports, and its code
    "United Kingdom": "GBR", "France": "FRA", "Australia": "AUS", "Netherlands": "NLD",
    "Germany": "DEU", "Norway": "NOR", "EIRE": "IRL", "Switzerland": "CHE", "Spain": "ESP",
    "Poland": "POL", "Portugal": "PRT", "Italy": "ITA", "Belgium": "BEL", "Lithuania": "LTU",
    "Japan": "JPN", "Iceland": "ISL", "Denmark": "DNK", "Cyprus": "CYP", "Sweden": "SWE",
    "Austria": "AUT", "Israel": "ISR", "Finland": "FIN", "Bahrain": "BHR", "Greece": "GRC",
    "Hong Kong": "HKG", "Singapore": "SGP", "Lebanon": "LBN", "United Arab Emirates": "ARE",
    "Saudi Arabia": "SAU", "Czech Republic": "CZE", "Canada": "CAN", "Brazil": "BRA",
    "USA": "USA", "Malta": "MLT", "RSA": "ZAF", "Korea": "KOR", "Thailand": "THA",
    "Nigeria": "NGA", "Bermuda": "BMU",
    "Channel Islands": None, "European Community": None, "Unspecified": None,
    "West Indies": None,
}


@pytest.mark.parametrize(("name", "code"), sorted(UCI_COUNTRIES.items()))
def test_country_code_of_every_uci_country(name, code):
    assert country_code(name) == code


def test_country_code_ignores_case_dots_and_the():
    assert country_code("U.S.A.") == "USA"
    assert country_code("  the Netherlands ") == "NLD"
    assert country_code("gbr") == "GBR"
    assert country_code(None) is None and country_code(float("nan")) is None
    assert country_code("Atlantis") is None


def test_country_figures_add_codes_and_list_the_unplaced():
    lines = pd.DataFrame({
        S.INVOICE_ID: ["1", "2", "3", "4"],
        S.CUSTOMER_ID: ["a", "b", "c", "d"],
        S.PRODUCT_ID: ["p"] * 4,
        S.QUANTITY: [1, 2, 1, 1],
        S.UNIT_PRICE: [10.0, 10.0, 5.0, 1.0],
        S.COUNTRY: ["EIRE", "United Kingdom", "Channel Islands", "Singapore"],
    })
    figures = country_figures(lines)
    assert list(figures[S.COUNTRY]) == ["United Kingdom", "EIRE", "Channel Islands", "Singapore"]
    assert list(figures[ISO3].fillna("-")) == ["GBR", "IRL", "-", "SGP"]
    assert figures["revenue"].sum() == 36.0
    assert list(unplaced(figures)[S.COUNTRY]) == ["Channel Islands"]
    # Singapore has a code but is too small for outlines at 1:110m
    assert list(unplaced(figures, drawable={"GBR", "IRL"})[S.COUNTRY]) == [
        "Channel Islands", "Singapore"]


@pytest.mark.real_data
def test_country_code_places_the_real_data(real_dataset):
    names = set(real_dataset.transactions[S.COUNTRY].dropna().astype(str))
    missing = {n for n in names if country_code(n) is None}
    assert missing == {"Channel Islands", "European Community", "Unspecified"}
