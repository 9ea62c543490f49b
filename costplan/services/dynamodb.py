"""Amazon DynamoDB on-demand: request units, storage, Streams reads and TTL deletes."""
from __future__ import annotations

from decimal import Decimal

from costplan import units
from costplan.services.base import Component, UsageKey, boolean

NAME = "dynamodb"
TITLE = "Amazon DynamoDB (on-demand)"

USAGE = (
    UsageKey("monthly_write_request_units", units.count, 0, "write request units per month (1 KB; transactional = 2)"),
    UsageKey("monthly_read_request_units", units.count, 0,
             "read request units per month (4 KB strongly consistent; eventual = 0.5)"),
    UsageKey("storage_gb", units.size_gb, 0, "table storage (GB-months)"),
    UsageKey("monthly_stream_read_request_units", units.count, 0, "Streams GetRecords read request units per month"),
    UsageKey("stream_reads_from_lambda", boolean, True,
             "the stream is read by Lambda triggers (those reads are not charged)"),
    UsageKey("monthly_ttl_deletes", units.count, 0, "items expired by TTL per month (modelled as free: see the data file)"),
)


def components(u: dict, resource: str = "") -> list[Component]:
    stream_key = "dynamodb.stream_reads_by_lambda" if u["stream_reads_from_lambda"] \
        else "dynamodb.stream_read_request_units"
    return [
        Component("Write request units", "WRU", Decimal(u["monthly_write_request_units"]),
                  "dynamodb.write_request_units", resource=resource),
        Component("Read request units", "RRU", Decimal(u["monthly_read_request_units"]),
                  "dynamodb.read_request_units", resource=resource),
        Component("Storage", "GB-months", Decimal(u["storage_gb"]), "dynamodb.storage", resource=resource),
        Component("Streams read request units" + (" (Lambda trigger)" if u["stream_reads_from_lambda"] else ""),
                  "stream RRU", Decimal(u["monthly_stream_read_request_units"]), stream_key, resource=resource),
        Component("TTL deletes", "deletes", Decimal(u["monthly_ttl_deletes"]), "dynamodb.ttl_deletes",
                  resource=resource),
    ]
