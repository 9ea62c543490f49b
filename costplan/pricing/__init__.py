"""The price book: versioned price data with source URL and as-of date, and the bill that applies it."""
from costplan.pricing.book import Price, PriceBook, Source, Tier, load_book
from costplan.pricing.bill import Component, LineItem, price_components, total

__all__ = ["Component", "LineItem", "Price", "PriceBook", "Source", "Tier", "load_book",
           "price_components", "total"]
