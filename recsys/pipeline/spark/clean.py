"""Read a shop export into Spark and clean it with the rules of :mod:`recsys.data.cleaning`.

Sources: a columnar store folder (``store.json`` beside the Parquet tables, as the local
engine writes it), or an export in the UCI Online Retail, Online Retail II or canonical
one-file layout as Parquet or CSV (a file or a folder of parts, on a local disk, HDFS or
S3), or a canonical folder (``transactions.csv`` with optional ``products.csv`` and
``customers.csv``). Columns are recognised with :func:`recsys.data.layouts.detect_layout`;
the rules run in the same order and count lines the same way (the cleaning report has the
same keys). Text dates are read as ISO 8601 (``2010-12-01 08:26:00``) or month-first
(``12/1/2010 8:26``), the two forms of the published files; for other forms import the
file once with the local engine and give Spark the store.

Products and customers tables are small (thousands to a few million rows): they are
built in Spark and brought to the driver as pandas frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from recsys.data import schema as S
from recsys.data.cleaning import NON_PRODUCT_CODES, RULES
from recsys.data.layouts import detect_layout, rename_map
from recsys.errors import DataError


@dataclass
class SparkShop:
    """A cleaned shop on Spark.

    Attributes
    ----------
    transactions : pyspark DataFrame
        Clean lines, columns :data:`recsys.data.schema.TRANSACTION_COLUMNS` (+ ``description``).
    cancellations : pyspark DataFrame
        Cancellation lines, same columns.
    products, customers : pandas DataFrame
        As :class:`recsys.Dataset` has them (``product_id, description, category,
        unit_price``; ``customer_id, country`` and the customers file's columns).
    report : dict
        The cleaning report (:func:`recsys.pipeline.store.report_to_dict` form).
    """

    transactions: object
    cancellations: object
    products: pd.DataFrame
    customers: pd.DataFrame
    report: dict


def _read_any(spark, path: str):
    """Read Parquet or CSV (header, all text) at ``path``."""
    lower = path.lower().rstrip("/")
    if lower.endswith((".csv", ".txt", ".tsv")):
        sep = "\t" if lower.endswith(".tsv") else ","
        return spark.read.option("header", True).option("sep", sep).option("encoding", "UTF-8").csv(path)
    return spark.read.parquet(path)


def _exists(spark, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hpath)


def read_source(spark, source: str) -> SparkShop:
    """Return the cleaned :class:`SparkShop` of ``source`` (see the module docstring).

    Raises
    ------
    DataError
        When the columns match no accepted layout, or nothing is left after cleaning.
    """
    source = str(source).rstrip("/")
    if _exists(spark, f"{source}/store.json"):
        return _read_store(spark, source)
    if _exists(spark, f"{source}/transactions.csv"):
        raw = _read_any(spark, f"{source}/transactions.csv")
        products = _side(spark, f"{source}/products.csv")
        customers = _side(spark, f"{source}/customers.csv")
        return clean(raw, layout_name="canonical3", products=products, customers=customers)
    return clean(_read_any(spark, source))


def _side(spark, path: str) -> pd.DataFrame | None:
    if not _exists(spark, path):
        return None
    return _read_any(spark, path).toPandas()


def _read_store(spark, folder: str) -> SparkShop:
    import json

    from pyspark.sql import functions as F

    text = spark.sparkContext.wholeTextFiles(f"{folder}/store.json").collect()[0][1]
    info = json.loads(text)
    tx = spark.read.parquet(f"{folder}/transactions.parquet")
    canc = spark.read.parquet(f"{folder}/cancellations.parquet")
    products = spark.read.parquet(f"{folder}/products.parquet").toPandas()
    customers = spark.read.parquet(f"{folder}/customers.parquet").toPandas()
    names = products[[S.PRODUCT_ID, S.DESCRIPTION]]
    tx = tx.join(F.broadcast(spark.createDataFrame(names)), S.PRODUCT_ID, "left")
    return SparkShop(tx, canc, products, customers, info["report"])


def _id(col, *, upper: bool = False):
    """Stripped text id; whole-number floats lose their ``.0``; empty text is null."""
    from pyspark.sql import functions as F

    text = F.trim(col.cast("string"))
    text = F.regexp_replace(text, r"^([+-]?\d+)\.0*$", "$1")
    if upper:
        text = F.upper(text)
    return F.when(text == "", None).otherwise(text)


def _number(col):
    from pyspark.sql import functions as F

    text = F.regexp_replace(F.trim(col.cast("string")), r"[\s£$€]", "")
    text = F.regexp_replace(text, r"^([+-]?\d+),(\d+)$", "$1.$2")
    return text.cast("double")


def _date(col, dtype):
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, TimestampType

    if isinstance(dtype, (TimestampType, DateType)):
        return col.cast("timestamp")
    text = F.trim(col.cast("string"))
    return F.coalesce(
        F.try_to_timestamp(text, F.lit("yyyy-MM-dd HH:mm:ss")),
        F.try_to_timestamp(text, F.lit("yyyy-MM-dd'T'HH:mm:ss")),
        F.try_to_timestamp(text, F.lit("yyyy-MM-dd HH:mm")),
        F.try_to_timestamp(text, F.lit("M/d/yyyy H:mm")),
        F.try_to_timestamp(text, F.lit("M/d/yyyy H:mm:ss")),
        F.try_to_timestamp(text, F.lit("yyyy-MM-dd")),
    )


def clean(raw, *, layout_name: str | None = None, products: pd.DataFrame | None = None,
          customers: pd.DataFrame | None = None) -> SparkShop:
    """Clean raw Spark lines (any accepted layout) into a :class:`SparkShop`."""
    from pyspark.sql import functions as F

    layout = detect_layout(raw.columns, source="the Spark source")
    names = rename_map(layout, raw.columns)
    fields = {f.name: f.dataType for f in raw.schema.fields}
    by_canonical = {canonical: F.col(f"`{col}`") for col, canonical in names.items()}
    dtype_of = {canonical: fields[col] for col, canonical in names.items()}

    def text(name, **kw):
        return _id(by_canonical[name], **kw) if name in by_canonical else F.lit(None).cast("string")

    def free(name):
        if name not in by_canonical:
            return F.lit(None).cast("string")
        value = F.trim(by_canonical[name].cast("string"))
        return F.when(value == "", None).otherwise(value)

    lines = raw.select(
        text(S.INVOICE_ID).alias(S.INVOICE_ID),
        _date(by_canonical[S.INVOICE_DATE], dtype_of[S.INVOICE_DATE]).alias(S.INVOICE_DATE),
        text(S.CUSTOMER_ID).alias(S.CUSTOMER_ID),
        text(S.PRODUCT_ID, upper=True).alias(S.PRODUCT_ID),
        _number(by_canonical[S.QUANTITY]).alias(S.QUANTITY),
        _number(by_canonical[S.UNIT_PRICE]).alias(S.UNIT_PRICE),
        free(S.COUNTRY).alias(S.COUNTRY),
        free(S.DESCRIPTION).alias(S.DESCRIPTION),
        free(S.CATEGORY).alias(S.CATEGORY),
    )
    unparseable = (F.col(S.INVOICE_DATE).isNull() | F.col(S.QUANTITY).isNull()
                   | F.col(S.UNIT_PRICE).isNull() | F.col(S.INVOICE_ID).isNull()
                   | F.col(S.PRODUCT_ID).isNull() | (F.col(S.QUANTITY) % 1 != 0))
    cancel = F.upper(F.col(S.INVOICE_ID)).startswith(S.CANCELLATION_PREFIX)
    rule = (F.when(unparseable, "unparseable")
            .when(cancel, "cancellation")
            .when(F.col(S.QUANTITY) <= 0, "non_positive_quantity")
            .when(F.col(S.UNIT_PRICE) <= 0, "non_positive_price")
            .when(F.col(S.PRODUCT_ID).isin(sorted(NON_PRODUCT_CODES)), "non_product"))
    lines = lines.withColumn("_rule", rule).cache()
    counts = {r["_rule"]: int(r["count"]) for r in lines.groupBy("_rule").count().collect()}
    raw_lines = sum(counts.values())
    kept = lines.filter(F.col("_rule").isNull()).drop("_rule")
    typed = kept.withColumn(S.QUANTITY, F.col(S.QUANTITY).cast("long"))
    unique = typed.dropDuplicates().cache()
    n_unique = unique.count()
    no_customer = unique.filter(F.col(S.CUSTOMER_ID).isNull()).count()
    counts["duplicate"] = counts.get(None, 0) - n_unique
    if n_unique == 0:
        raise DataError(f"no usable lines: cleaning removed all {raw_lines:,} lines of the Spark source.")
    report = {
        "layout": layout_name or layout.name,
        "raw_lines": raw_lines,
        "removed": [[r, counts.get(r, 0)] for r in RULES if r != "missing_customer"]
        + [["missing_customer", no_customer]],
        "kept_lines": n_unique,
        "lines_without_customer": no_customer,
    }
    report["notes"] = _side_notes(unique, products, customers)
    report["date_order"] = _date_order(raw, by_canonical[S.INVOICE_DATE], dtype_of[S.INVOICE_DATE])
    report["dates_ambiguous"] = False
    report["date_alternative"] = []
    report["date_column"] = next(col for col, canonical in names.items() if canonical == S.INVOICE_DATE)
    first, last = lines.agg(F.min(S.INVOICE_DATE), F.max(S.INVOICE_DATE)).collect()[0]
    report["date_range"] = [f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}"] if first is not None else []
    cancellations = (lines.filter(F.col("_rule") == "cancellation").drop("_rule")
                     .withColumn(S.QUANTITY, F.col(S.QUANTITY).cast("long")))
    return SparkShop(unique, cancellations, product_table(unique, products),
                     customer_table(unique, customers), report)


def _side_notes(lines, products: pd.DataFrame | None, customers: pd.DataFrame | None) -> list[str]:
    """The local engine's notes on the products and customers files (unsold products kept;
    a file sharing no id with the lines refused), from the distinct ids sold."""
    from recsys.data.cleaning import _side_table_notes as side_table_notes

    sold = {}
    for key, given in ((S.PRODUCT_ID, products), (S.CUSTOMER_ID, customers)):
        if given is not None and key in given.columns:
            ids = [r[0] for r in lines.select(key).distinct().collect() if r[0] is not None]
            sold[key] = pd.Series(pd.Categorical(ids))
    return side_table_notes(sold, products, customers) if sold else []


def _date_order(raw, col, dtype) -> str:
    """``"month-first"`` when text dates are written with slashes (read as ``M/d/yyyy``),
    else ``""`` (the values of :attr:`recsys.data.dataset.CleaningReport.date_order`)."""
    from pyspark.sql.types import DateType, TimestampType

    if isinstance(dtype, (TimestampType, DateType)):
        return ""
    return "month-first" if raw.filter(col.cast("string").contains("/")).limit(1).count() else ""


def _mode(frame, key: str, value: str, name: str):
    """Most frequent non-null ``value`` per ``key`` (ties: the alphabetically first)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    counts = frame.filter(F.col(value).isNotNull()).groupBy(key, value).count()
    order = Window.partitionBy(key).orderBy(F.col("count").desc(), F.col(value).asc())
    return (counts.withColumn("_n", F.row_number().over(order)).filter("_n = 1")
            .select(key, F.col(value).alias(name)))


def product_table(lines, given: pd.DataFrame | None = None) -> pd.DataFrame:
    """``product_id, description, category, unit_price`` (median paid) of the sold products,
    with a products file's values winning and its unsold products kept."""
    from pyspark.sql import functions as F

    prices = lines.groupBy(S.PRODUCT_ID).agg(F.percentile(S.UNIT_PRICE, 0.5).alias(S.UNIT_PRICE))
    table = (prices.join(_mode(lines, S.PRODUCT_ID, S.DESCRIPTION, S.DESCRIPTION), S.PRODUCT_ID, "left")
             .join(_mode(lines, S.PRODUCT_ID, S.CATEGORY, S.CATEGORY), S.PRODUCT_ID, "left")
             .toPandas().set_index(S.PRODUCT_ID))
    if given is not None and S.PRODUCT_ID in given.columns:
        side = given.assign(**{S.PRODUCT_ID: given[S.PRODUCT_ID].astype(str).str.strip().str.upper()})
        side = side.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)
        table = table.reindex(table.index.union(side.index))
        for col in (S.DESCRIPTION, S.CATEGORY):
            if col in side.columns:
                table[col] = side[col].where(side[col].notna(), None).combine_first(table[col])
    out = table.sort_index().reset_index()
    return out.astype({S.PRODUCT_ID: "string", S.DESCRIPTION: "string", S.CATEGORY: "string",
                       S.UNIT_PRICE: "float64"})[[S.PRODUCT_ID, S.DESCRIPTION, S.CATEGORY, S.UNIT_PRICE]]


def customer_table(lines, given: pd.DataFrame | None = None) -> pd.DataFrame:
    """``customer_id, country`` (the most frequent on their lines) of every buyer, and the
    customers file's columns and customers."""
    from pyspark.sql import functions as F

    buyers = lines.filter(F.col(S.CUSTOMER_ID).isNotNull()).select(S.CUSTOMER_ID).distinct()
    table = (buyers.join(_mode(lines, S.CUSTOMER_ID, S.COUNTRY, S.COUNTRY), S.CUSTOMER_ID, "left")
             .toPandas().set_index(S.CUSTOMER_ID))
    if given is not None and S.CUSTOMER_ID in given.columns:
        side = given.assign(**{S.CUSTOMER_ID: given[S.CUSTOMER_ID].astype(str).str.strip()
                               .str.replace(r"^(\d+)\.0*$", r"\1", regex=True)})
        side = side.drop_duplicates(S.CUSTOMER_ID).set_index(S.CUSTOMER_ID)
        table = table.reindex(table.index.union(side.index))
        for col in side.columns:
            table[col] = side[col].combine_first(table[col]) if col in table else side[col]
    out = table.sort_index().reset_index()
    dtypes = {S.CUSTOMER_ID: "string", S.COUNTRY: "string"}
    if S.AGE in out.columns:
        out[S.AGE] = pd.to_numeric(out[S.AGE], errors="coerce")
    if S.SIGNUP_DATE in out.columns:
        out[S.SIGNUP_DATE] = pd.to_datetime(out[S.SIGNUP_DATE], errors="coerce")
    if S.GENDER in out.columns:
        dtypes[S.GENDER] = "string"
    return out.astype(dtypes)


def net_transactions(shop: SparkShop):
    """Return the shop's lines net of its cancellations, by the rule of
    :mod:`recsys.data.cancellations` (the library's own :func:`~recsys.data.cancellations.net_lines`,
    run on each customer × product pair that has a cancellation; other lines pass as they are)."""
    from pyspark.sql import functions as F

    from recsys.data.cancellations import net_lines

    keys = [S.CUSTOMER_ID, S.PRODUCT_ID]
    canc = shop.cancellations.filter(F.col(S.CUSTOMER_ID).isNotNull()).select(
        *keys, S.INVOICE_DATE, S.QUANTITY)
    # Renamed: the lines and the cancellations come from one read, and Spark refuses a join
    # of a Dataset with itself on columns it cannot tell apart.
    pairs = canc.select(F.col(S.CUSTOMER_ID).alias("_c"), F.col(S.PRODUCT_ID).alias("_p")).distinct()
    tx = shop.transactions
    on = (F.col(S.CUSTOMER_ID) == F.col("_c")) & (F.col(S.PRODUCT_ID) == F.col("_p"))
    untouched = tx.join(F.broadcast(pairs), on, "left_anti").select(*tx.columns)
    touched = tx.join(F.broadcast(pairs), on, "left_semi").select(*tx.columns)
    schema = touched.schema

    def net(purchases: pd.DataFrame, cancellations: pd.DataFrame) -> pd.DataFrame:
        if purchases.empty:
            return purchases
        ordered = purchases.sort_values([S.INVOICE_DATE, S.INVOICE_ID], kind="stable").reset_index(drop=True)
        return net_lines(ordered, cancellations)

    # The lines and the cancellations share one read: fresh column ids for the cogroup.
    canc = canc.select(*[F.col(c).alias(c) for c in canc.columns])
    netted = touched.groupBy(*keys).cogroup(canc.groupBy(*keys)).applyInPandas(net, schema=schema)
    return untouched.unionByName(netted.select(*tx.columns))
