"""Polling vs WebSocket vs MQTT: polling grows dearer with the audience and the crossover is where
the totals meet."""
from __future__ import annotations

from decimal import Decimal

import pytest

from costplan.patterns.notify import NotifySettings, cost, crossover, price_notify
from costplan.pricing.book import PriceBook

BOOK = PriceBook("us-east-1")


def test_polling_grows_dearer_than_push_with_the_audience():
    s = NotifySettings(audience=Decimal(10_000))
    r = price_notify(s, BOOK)
    last = r.rows[-1]
    assert last["polling"] > last["websocket"] and last["polling"] > last["mqtt"]
    assert [row["polling"] for row in r.rows] == sorted(row["polling"] for row in r.rows)


@pytest.mark.parametrize("method", ["websocket", "mqtt"])
def test_crossover_is_where_the_totals_meet(method):
    # A free function URL in front of polling: cheap while Lambda's free tier lasts, then dearer.
    s = NotifySettings(api="function_url", session_minutes=Decimal(10), polling_interval_s=Decimal(5),
                       updates_per_session=Decimal(10))
    x = crossover(method, s, BOOK, True)
    assert x is not None and x > 1
    p, q = cost("polling", s, x, BOOK, True), cost(method, s, x, BOOK, True)
    assert abs(p - q) <= Decimal("0.01") * max(p, q)
    assert cost("polling", s, x * 2, BOOK, True) > cost(method, s, x * 2, BOOK, True)
    assert cost("polling", s, x / 2, BOOK, True) <= cost(method, s, x / 2, BOOK, True)


def test_compare_json_has_a_notify_key(cli):
    import json

    from tests.conftest import SCENARIOS

    code, out, _ = cli("compare", str(SCENARIOS / "db_refresh_async.yaml"), "--format", "json",
                       "--notify", "polling,websocket,mqtt")
    assert code == 0
    n = json.loads(out)["notify"]
    assert set(n["crossovers"]) == {"websocket", "mqtt"} and n["audience"] == 13000


def test_answers_and_pushes_leave_aws_as_data_transfer_out_but_mqtt_deliveries_do_not():
    # 1,048,576 sessions × 10 updates × 1 KB = 10 GB pushed; polling: 10 min × 6 polls a minute × 1 KB = 60 GB
    from costplan.patterns.notify import components

    s = NotifySettings()
    a = Decimal(1_048_576)

    def gb(method):
        return sum((c.quantity for c in components(method, s, a) if c.price_key == "data_transfer.out_internet"),
                   Decimal(0))

    assert gb("websocket") == 10 and gb("polling") == 60 and gb("mqtt") == 0
