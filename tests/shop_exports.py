"""Shop exports built in the published formats, for the mapping and Shopify tests.

Small files whose figures were worked out by hand (see each builder's docstring); no
real shop's data.
"""

from __future__ import annotations

import csv
import io

SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
    "Discount Code", "Discount Amount", "Shipping Method", "Created at",
    "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
    "Lineitem fulfillment status", "Billing Name", "Billing Street", "Billing City",
    "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name",
    "Shipping City", "Shipping Zip", "Shipping Country", "Notes", "Cancelled at",
    "Payment Method", "Refunded Amount", "Vendor", "Outstanding Balance", "Id", "Tags",
    "Risk Level", "Source", "Lineitem discount",
]  # fmt: skip


def _order(name, email, status, created, items, *, country="US", cancelled="", refunded="0.00"):
    rows = []
    total = sum(q * p for _, _, q, p in items)
    for i, (sku, title, qty, price) in enumerate(items):
        row = dict.fromkeys(SHOPIFY_HEADER, "")
        row.update({"Name": name, "Lineitem quantity": str(qty), "Lineitem name": title,
                    "Lineitem price": f"{price:.2f}", "Lineitem sku": sku,
                    "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                    "Lineitem fulfillment status": "fulfilled", "Lineitem discount": "0.00"})
        if i == 0:  # Shopify fills order fields on an order's first line only
            row.update({"Email": email, "Financial Status": status, "Currency": "USD",
                        "Subtotal": f"{total:.2f}", "Shipping": "0.00", "Taxes": "0.00",
                        "Total": f"{total:.2f}", "Created at": created, "Billing Country": country,
                        "Shipping Country": country, "Cancelled at": cancelled,
                        "Refunded Amount": refunded, "Payment Method": "Shopify Payments",
                        "Vendor": "Acme", "Outstanding Balance": "0.00", "Risk Level": "Low",
                        "Source": "web", "Billing Zip": "'02134"})
        rows.append(row)
    return rows


def shopify_orders_csv() -> bytes:
    """A Shopify orders export: five orders, seven line items, one refund in full, two
    partial refunds, one order without an e-mail address.

    Worked out by hand:

    - #1001 alice, paid: MUG-01 2 x 12.50 + TEA-02 1 x 8.00 (second line has no order
      fields) = 33.00;
    - #1002 Bob@Example.com, partially refunded 8.00 = one TEA-02 (3 x 8.00), MUG-01 1 x
      12.50: purchase 36.50, return of 1 TEA-02 (8.00);
    - #1003 alice, refunded, cancelled 2023-05-04: a candle without SKU, 1 x 20.00:
      purchase 20.00 and its cancellation;
    - #1004 carol, partially refunded 5.00 on MUG-01 2 x 12.50 (no whole units): left as
      bought, 25.00;
    - #1005 no e-mail (point of sale), FR: TEA-02 2 x 8.00 = 16.00.

    Seven purchase lines worth 130.50; two cancellation lines (8.00 and 20.00), so 102.50
    net; customers alice, bob, carol (+ one line without a customer).
    """
    rows = (
        _order("#1001", "alice@example.com", "paid", "2023-05-01 10:15:22 -0400",
               [("MUG-01", "Blue Mug", 2, 12.50), ("TEA-02", "Green Tea", 1, 8.00)])
        + _order("#1002", "Bob@Example.com", "partially_refunded", "2023-05-02 16:40:00 -0400",
                 [("MUG-01", "Blue Mug", 1, 12.50), ("TEA-02", "Green Tea", 3, 8.00)],
                 country="GB", refunded="8.00")
        + _order("#1003", "alice@example.com", "refunded", "2023-05-03 09:00:00 -0400",
                 [("", "Soy Candle", 1, 20.00)], cancelled="2023-05-04 09:00:00 -0400",
                 refunded="20.00")
        + _order("#1004", "carol@example.com", "partially_refunded", "2023-05-05 12:00:00 -0400",
                 [("MUG-01", "Blue Mug", 2, 12.50)], refunded="5.00")
        + _order("#1005", "", "paid", "2023-05-06 08:30:00 +0200",
                 [("TEA-02", "Green Tea", 2, 8.00)], country="FR")
    )  # fmt: skip
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHOPIFY_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def grocery_files() -> dict[str, bytes]:
    """A grocery chain's warehouse extract (the issue's example): baskets, households,
    line totals, a product table with departments, household demographics in bands.

    Reviews: household 101 gives milk 5 stars, 102 apples "2/5", and one review is of a
    product the shop does not sell (left out).

    Worked out by hand: three baskets, five lines; basket 1 (household 101):
    milk 2 for 2.58 (1.29 each) and bread 1 for 2.49; basket 2 (household 102): milk 1 for
    1.29, apples 3 for 1.50 (0.50 each); basket 3 (household 101): bread 2 for 4.98. Revenue
    12.84. Household 103 is registered and never bought.
    """
    tx = (
        "basket_id,transaction_timestamp,household_id,product_id,quantity,sales_value,store_id\n"
        "1,2023-03-01T09:15:00+01:00,101,9001,2,2.58,7\n"
        "1,2023-03-01T09:15:00+01:00,101,9002,1,2.49,7\n"
        "2,2023-03-02T18:05:00+01:00,102,9001,1,1.29,7\n"
        "2,2023-03-02T18:05:00+01:00,102,9003,3,1.50,8\n"
        "3,2023-03-09T11:00:00+01:00,101,9002,2,4.98,7\n"
    )
    products = (
        "product_id,department,brand,product_type\n"
        "9001,DAIRY,National,FLUID MILK\n"
        "9002,BAKERY,Private,BREAD\n"
        "9003,PRODUCE,National,APPLES\n"
    )
    households = (
        "household_id,age,income,homeowner,household_size,region\n"
        "101,45-54,50-74K,Homeowner,2,North\n"
        "102,19-24,Under 15K,Renter,1,South\n"
        "103,65+,250K+,Homeowner,5+,North\n"
    )
    reviews = (
        "user,item,stars,review,date\n"
        "101,9001,5,Fresh and creamy,2023-03-03\n"
        "102,9003,2/5,Bruised apples,2023-03-04\n"
        "102,9999,4,Not sold here,2023-03-05\n"
    )
    return {
        "tx.csv": tx.encode(),
        "products.csv": products.encode(),
        "households.csv": households.encode(),
        "reviews.csv": reviews.encode(),
    }


GROCERY_MAPPING = {
    "transactions": {"path": "tx.csv", "columns": {
        "invoice_id": "basket_id", "invoice_date": "transaction_timestamp",
        "customer_id": "household_id", "product_id": "product_id", "quantity": "quantity",
        "line_total": "sales_value"}},
    "products": {"path": "products.csv", "columns": {
        "product_id": "product_id", "description": "product_type", "category": "department"}},
    "customers": {"path": "households.csv", "columns": {
        "customer_id": "household_id", "age": "age", "income": "income", "country": "region"}},
}  # fmt: skip
