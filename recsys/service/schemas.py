"""The JSON shapes of the service's API (request bodies and answers), as pydantic models.

They are the contract a shop's web developers code against: ``/openapi.json`` and
``/docs`` are generated from them. Ids are text of 1 to 200 characters without control
characters; quantities are whole numbers of at least 1 and prices are above 0 (what the
data file's cleaning keeps).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_ID = 200
MAX_N = 100
MAX_LINES = 500
MAX_CART = 100

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID, pattern=r"^[^\x00-\x1f\x7f]+$")]
EventId = Annotated[str, Field(
    min_length=1, max_length=MAX_ID, pattern=r"^[^\x00-\x20\x7f=+\-@][^\x00-\x1f\x7f]*$",
    description="1 to 200 characters, no control characters; not starting with a space or "
                "= + - @ (the id is written to the data file, which may be opened in a spreadsheet)")]


class Item(BaseModel):
    """One recommended product."""

    product_id: str
    description: str = Field(description="the product's description (empty when unknown)")
    score: float = Field(description="higher is better; comparable within one answer only")
    reason: str = Field(description="why, in words a shopper can be shown")


class Recommendations(BaseModel):
    """A customer's recommended products, best first."""

    customer_id: str
    model_version: str
    items: list[Item]


class Similar(BaseModel):
    """Products similar to one product, best first."""

    product_id: str
    model_version: str
    items: list[Item]


class BasketRequest(BaseModel):
    """A cart: the products in it, and how many suggestions to return."""

    model_config = ConfigDict(extra="forbid")

    product_ids: list[Id] = Field(min_length=1, max_length=MAX_CART)
    n: int = Field(10, ge=1, le=MAX_N)


class BasketAnswer(BaseModel):
    """Products to suggest for a cart, best first (products already in it left out)."""

    product_ids: list[str]
    model_version: str
    items: list[Item]


class Segment(BaseModel):
    """A customer's segment and RFM figures as of the model's data."""

    customer_id: str
    model_version: str
    segment: int = Field(description="1 = the most valuable segment")
    segment_name: str
    recency_days: float = Field(description="days from the last purchase to the model's last date")
    frequency: int = Field(description="invoices")
    monetary: float = Field(description="total spend")
    as_of: str = Field(description="date of the last purchase in the model's data")


class EventLineIn(BaseModel):
    """One product of a purchase."""

    model_config = ConfigDict(extra="forbid")

    product_id: EventId
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: float = Field(gt=0, le=1_000_000, allow_inf_nan=False)


class PurchaseIn(BaseModel):
    """A purchase: who, which invoice, when, and what."""

    model_config = ConfigDict(extra="forbid")

    customer_id: EventId
    invoice_id: EventId = Field(description="unique per purchase: posting it again is a no-op. "
                                       "Must not start with C (the data file's mark of a cancellation)")
    timestamp: datetime = Field(description="ISO 8601; a time with an offset is stored in UTC")
    lines: list[EventLineIn] = Field(min_length=1, max_length=MAX_LINES)

    @field_validator("invoice_id")
    @classmethod
    def _not_a_cancellation(cls, value: str) -> str:
        if value.strip()[:1] in ("C", "c"):
            raise ValueError("invoice ids starting with C mark cancellations in the data file; "
                             "use another id")
        return value


class EventAccepted(BaseModel):
    """The event is on disk (fsync'd); ``duplicate`` when this invoice was recorded before."""

    invoice_id: str
    customer_id: str
    status: str = Field(description="accepted or duplicate")
    sequence: int = Field(description="position in the event log (0: the invoice is in the data file)")


class RefitStarted(BaseModel):
    """A refit runs in the background; ``model_version`` is the one still in service."""

    status: str
    model_version: str


class ModelInfo(BaseModel):
    """The model in service."""

    model_version: str
    fitted_at: str
    as_of: str
    fit_seconds: float
    events_included: int = Field(description="sequence number of the last event fitted on")
    events_pending: int = Field(description="events recorded since, folded in live")
    refitting: bool
    customers: int
    products: int
    precomputed: bool = Field(description="every customer's top 100 is precomputed (reads "
                                          "are slices of it); false for a few seconds after "
                                          "a cold start, while the model answers directly")


class Problem(BaseModel):
    """An error: a code, a sentence saying what to do, and the fields at fault (422)."""

    error: str
    message: str
    fields: list[dict] | None = None
    request_id: str | None = None


class Health(BaseModel):
    """Liveness or readiness."""

    status: str
    model_version: str | None = None
