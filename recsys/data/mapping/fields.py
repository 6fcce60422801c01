"""The canonical fields a file's columns can be mapped onto, and the names they go by.

Each :class:`Field` belongs to one table of a mapping file (``transactions``,
``products``, ``customers``, ``reviews``), has a kind (what its values must be) and the
names shops, spreadsheets and other languages give it. Names are compared by
:func:`name_key`: lower case, accents and anything but letters and digits removed, so
``Customer ID``, ``customer_id``, ``CUSTOMER-ID`` and ``Kunden-Nr.`` are matched alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from recsys.data import schema as S

TRANSACTIONS = "transactions"
PRODUCTS = "products"
CUSTOMERS = "customers"
REVIEWS = "reviews"
TABLES: tuple[str, ...] = (TRANSACTIONS, PRODUCTS, CUSTOMERS, REVIEWS)
"""The sections of a mapping file, in order; only ``transactions`` is required."""

LINE_TOTAL = "line_total"
"""A line's total (quantity x unit price): mapped instead of ``unit_price``, divided by
the quantity on reading."""
INCOME = "income"
HOUSEHOLD = "household"
RATING = "rating"
TEXT = "text"
REVIEW_DATE = "review_date"

ID, DATE, WHOLE, MONEY, NUMBER, TEXT_KIND, ATTRIBUTE = (
    "id", "date", "whole", "money", "number", "text", "attribute",
)  # fmt: skip
"""Kinds of field: what a column mapped onto it must hold."""


@dataclass(frozen=True)
class Field:
    """One canonical field of a mapping table.

    Attributes
    ----------
    name : str
        Canonical name (``"invoice_id"``).
    kind : str
        ``"id"``, ``"date"``, ``"whole"`` (whole numbers), ``"money"``, ``"number"``,
        ``"text"`` or ``"attribute"`` (a number or a band such as ``"45-54"``).
    synonyms : tuple of str
        Names the field goes by, compared with :func:`name_key`.
    required : bool
        Whether a mapping of the table must give it.
    """

    name: str
    kind: str
    synonyms: tuple[str, ...]
    required: bool = False

    @property
    def keys(self) -> frozenset[str]:
        """The synonyms (and the name) as :func:`name_key` keys."""
        return frozenset(name_key(s) for s in (self.name, *self.synonyms))


def name_key(name: object) -> str:
    """Return the matching key of a column name: ``"Kunden-Nr."`` -> ``"kundennr"``."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def words(name: object) -> tuple[str, ...]:
    """Return the words of a column name (``"transaction_timestamp"`` -> two words),
    splitting camel case (``"CustomerID"`` -> ``customer``, ``id``)."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return tuple(w for w in re.split(r"[^0-9a-z]+", text.lower()) if w)


_INVOICE = (
    "invoice", "invoice no", "invoice number", "invoiceno", "order", "order id", "order no",
    "order number", "order name", "basket", "basket id", "transaction", "transaction id",
    "receipt", "receipt no", "receipt number", "ticket", "ticket id", "bill no", "bon",
    "bonnummer", "beleg", "belegnummer", "rechnung", "rechnungsnummer", "bestellnummer",
    "bestellung", "auftrag", "auftragsnummer", "commande", "numero commande", "n commande",
    "no commande", "facture", "numero facture", "pedido", "numero pedido", "factura",
    "ordine", "numero ordine", "bestelnummer",
)
_DATE = (
    "date", "invoice date", "order date", "transaction date", "transaction timestamp",
    "timestamp", "datetime", "created at", "created", "order created", "purchase date",
    "date of purchase", "sale date", "sold at", "time", "date time", "day",
    "datum", "bestelldatum", "rechnungsdatum", "kaufdatum", "belegdatum", "zeitpunkt",
    "date commande", "date de commande", "date facture", "date achat", "date d achat",
    "fecha", "fecha pedido", "fecha compra", "data", "data ordine", "besteldatum",
)
_CUSTOMER = (
    "customer", "customer id", "customer no", "customer number", "customerid", "client",
    "client id", "user", "user id", "household", "household id", "household key",
    "member", "member id", "buyer", "buyer id", "email", "e mail", "customer email",
    "billing email", "account", "account id", "loyalty id", "card id", "card number",
    "shopper", "shopper id", "loyalty card", "customer email address", "kunde", "kunden id", "kundennummer", "kunden nr", "kundennr",
    "client numero", "numero client", "id client", "code client", "cliente", "id cliente",
    "klant", "klantnummer",
)
_PRODUCT = (
    "product", "product id", "product code", "product no", "stock code", "stockcode", "sku",
    "variant sku", "lineitem sku", "item", "item id", "item code", "item no", "article",
    "article id", "article no", "ean", "upc", "gtin", "barcode", "plu", "asin",
    "material", "artikel", "artikelnummer", "artikel nr", "artikelnr", "produkt id",
    "produktnummer", "reference", "ref", "ref produit", "reference produit", "code produit",
    "id produit", "code article", "producto", "id producto", "codigo", "codigo producto",
    "articolo", "codice articolo", "artikelcode",
)
_DESCRIPTION = (
    "description", "product name", "item name", "name", "title", "product title",
    "lineitem name", "item description", "item desc", "desc", "product description",
    "product type",
    "beschreibung", "bezeichnung", "artikelbezeichnung", "produktname", "artikelname",
    "libelle", "designation", "nom produit", "nom du produit", "descripcion", "nombre",
    "nombre producto", "descrizione", "omschrijving",
)
_QUANTITY = (
    "quantity", "qty", "units", "unit count", "count", "pieces", "pcs", "items",
    "lineitem quantity", "item quantity", "units sold", "quantity sold", "menge", "anzahl",
    "stuck", "stueck", "stuckzahl", "quantite", "qte", "nombre d articles", "cantidad",
    "quantita", "aantal",
)
_UNIT_PRICE = (
    "unit price", "unitprice", "price", "item price", "price each", "price per unit",
    "lineitem price", "sale price", "selling price", "retail price", "item cost", "cost",
    "unit cost", "preis",
    "einzelpreis", "stuckpreis", "verkaufspreis", "prix", "prix unitaire", "pu", "precio",
    "precio unitario", "prezzo", "prezzo unitario", "prijs", "stukprijs",
)
_LINE_TOTAL = (
    "line total", "total", "amount", "sales value", "sales", "revenue", "value",
    "line value", "line amount", "extended price", "net sales", "gross sales",
    "sales amount", "item total", "lineitem total", "spend", "gesamtpreis", "betrag",
    "umsatz", "summe", "gesamt", "montant", "montant total", "total ligne", "chiffre d affaires",
    "importe", "total linea", "importo", "bedrag",
)
_COUNTRY = (
    "country", "country code", "billing country", "shipping country", "land", "pays",
    "pais", "paese", "nation", "market", "region", "store region",
)
_CATEGORY = (
    "category", "department", "product category", "category name", "product type", "type",
    "commodity", "commodity desc", "group", "product group", "kategorie", "warengruppe",
    "abteilung", "produktgruppe", "categorie", "rayon", "famille", "categoria",
    "categoria producto", "afdeling",
)
_AGE = ("age", "age desc", "age group", "age band", "age range", "alter", "altersgruppe",
        "tranche d age", "edad")  # fmt: skip
_INCOME = ("income", "income desc", "income band", "income range", "household income",
           "einkommen", "revenu", "revenus", "ingresos")  # fmt: skip
_HOUSEHOLD = ("household size", "household size desc", "hh size", "haushaltsgrosse",
              "taille du foyer", "persons in household")  # fmt: skip
_GENDER = ("gender", "sex", "geschlecht", "sexe", "genero", "sexo")
_SIGNUP = ("signup date", "sign up date", "registered", "registration date", "joined",
           "join date", "member since", "customer since", "first order date",
           "anmeldedatum", "date d inscription", "fecha alta")  # fmt: skip
_RATING = ("rating", "stars", "star rating", "score", "review score", "overall",
           "bewertung", "sterne", "note", "etoiles", "puntuacion", "valutazione")  # fmt: skip
_TEXT = ("text", "review", "review text", "review body", "comment", "comments", "body",
         "content", "feedback", "kommentar", "rezension", "avis", "commentaire",
         "comentario", "recensione")  # fmt: skip
_REVIEW_DATE = ("review date", "date", "reviewed at", "created at", "submitted at",
                "timestamp", "datum", "date avis", "fecha")  # fmt: skip

FIELDS: dict[str, tuple[Field, ...]] = {
    TRANSACTIONS: (
        Field(S.INVOICE_ID, ID, _INVOICE, required=True),
        Field(S.INVOICE_DATE, DATE, _DATE, required=True),
        Field(S.CUSTOMER_ID, ID, _CUSTOMER, required=True),
        Field(S.PRODUCT_ID, ID, _PRODUCT, required=True),
        Field(S.DESCRIPTION, TEXT_KIND, _DESCRIPTION),
        Field(S.QUANTITY, WHOLE, _QUANTITY, required=True),
        Field(S.UNIT_PRICE, MONEY, _UNIT_PRICE),
        Field(LINE_TOTAL, MONEY, _LINE_TOTAL),
        Field(S.COUNTRY, TEXT_KIND, _COUNTRY),
        Field(S.CATEGORY, TEXT_KIND, _CATEGORY),
    ),
    PRODUCTS: (
        Field(S.PRODUCT_ID, ID, _PRODUCT, required=True),
        Field(S.DESCRIPTION, TEXT_KIND, _DESCRIPTION),
        Field(S.CATEGORY, TEXT_KIND, _CATEGORY),
        Field(S.UNIT_PRICE, MONEY, _UNIT_PRICE),
    ),
    CUSTOMERS: (
        Field(S.CUSTOMER_ID, ID, _CUSTOMER, required=True),
        Field(S.COUNTRY, TEXT_KIND, _COUNTRY),
        Field(S.SIGNUP_DATE, DATE, _SIGNUP),
        Field(S.AGE, ATTRIBUTE, _AGE),
        Field(INCOME, ATTRIBUTE, _INCOME),
        Field(HOUSEHOLD, ATTRIBUTE, _HOUSEHOLD),
        Field(S.GENDER, TEXT_KIND, _GENDER),
    ),
    REVIEWS: (
        Field(S.CUSTOMER_ID, ID, _CUSTOMER),
        Field(S.PRODUCT_ID, ID, _PRODUCT, required=True),
        Field(RATING, NUMBER, _RATING, required=True),
        Field(TEXT, TEXT_KIND, _TEXT),
        Field(REVIEW_DATE, DATE, _REVIEW_DATE),
    ),
}
"""The fields of each table, in the order a form shows them."""


def table_fields(table: str) -> tuple[Field, ...]:
    """Return the fields of ``table`` (one of :data:`TABLES`)."""
    return FIELDS[table]


def field(table: str, name: str) -> Field | None:
    """Return the field ``name`` of ``table``, or None when the table has no such field."""
    return next((f for f in FIELDS[table] if f.name == name), None)
