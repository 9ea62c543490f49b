"""Charts are real files (PNG with dimensions, SVG that parses), the cost curve is compare's numbers,
and the queue backlog follows arrivals minus the drain rate."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from conftest import SCENARIOS
from costplan import scenario
from costplan.compute import sensitivity as S
from costplan.compute.compare import compare, scaled_scenario

pytest.importorskip("matplotlib")


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def _check_files(paths):
    png, svg = paths
    w, h = _png_size(png)
    assert w > 300 and h > 200
    import matplotlib.image

    assert matplotlib.image.imread(png).shape[:2] == (h, w)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 50


def test_cost_chart_files_and_series_equal_compare(tmp_path):
    from costplan.report import charts

    sc = scenario.load(SCENARIOS / "steady_heavy_api.yaml")
    c = compare(sc)
    curve = S.cost_curve(sc, c.breakeven)
    paths = charts.cost_chart(curve, tmp_path / "cost", c.breakeven, curve.base)
    _check_files(paths)
    for p in (curve.points[0], curve.points[len(curve.points) // 2], curve.points[-1]):
        cmp = compare(scaled_scenario(sc, p.factor))
        for name in ("lambda", "fargate", "ec2"):
            assert p.totals[name] == cmp.option(name).monthly_usd
    # the curve spans the break-even it marks
    assert curve.values[0] < c.breakeven.monthly_requests < curve.values[-1]


def test_charts_refuse_to_overwrite(tmp_path):
    from costplan.errors import CostplanError
    from costplan.report import charts

    sc = scenario.load(SCENARIOS / "periodic_light_api.yaml")
    c = compare(sc)
    made, _ = charts.write_charts(c, tmp_path)
    assert [p.name for _, p in made] == ["periodic-light-api-cost.png"]
    with pytest.raises(CostplanError, match="already exists"):
        charts.write_charts(c, tmp_path)
    charts.write_charts(c, tmp_path, force=True)


def test_backlog_series():
    q = {"name": "votes", "arrival_peak_rps": Decimal(300), "arrival_average_rps": Decimal(50),
         "peak_window_s": Decimal(600), "drain_rps": Decimal(100)}
    b = S.backlog(q, plan=None)
    assert max(b.depth) == (300 - 100) * 600  # builds while arrivals exceed the drain rate
    assert b.drained_at_s == 600 + 120_000 / Decimal(100 - 50)  # then drains at drain − arrivals
    assert b.depth[-1] == 0
    never = S.backlog(q | {"drain_rps": Decimal(40)}, plan=None)
    assert never.drained_at_s is None and never.depth[-1] > 0


def test_backlog_chart_from_a_queue_plan(tmp_path):
    path = SCENARIOS / "global_vote.yaml"
    if not path.exists():
        pytest.skip("global_vote scenario not bundled yet")
    from costplan.report import charts

    c = compare(scenario.load(path))
    qs = c.plan.facts.get("queues") or []
    b = S.backlog(qs[0], c.plan)
    assert b is not None and b.drain_rps > 0
    _check_files(charts.backlog_chart(b, tmp_path / "backlog"))


def test_cli_report_with_charts_references_them(cli, tmp_path):
    out = tmp_path / "review.md"
    code, _, err = cli("report", str(SCENARIOS / "steady_heavy_api.yaml"), "--out", str(out),
                       "--charts", str(tmp_path / "charts"))
    assert code == 0, err
    assert "![steady-heavy-api: monthly cost" in out.read_text()
    assert "(charts/steady-heavy-api-cost.png)" in out.read_text()
    _check_files([tmp_path / "charts" / "steady-heavy-api-cost.png", tmp_path / "charts" / "steady-heavy-api-cost.svg"])


def test_terminal_bars():
    from costplan.report.terminal_chart import terminal_bars

    c = compare(scenario.load(SCENARIOS / "steady_heavy_api.yaml"))
    lines = terminal_bars(c, width=20).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Lambda") and "█" * 20 in lines[0]  # the dearest fills the width
    cheapest = next(line for line in lines if "cheapest, recommended" in line)
    assert f"${c.cheapest.monthly_usd:,.2f}" in cheapest


def test_notify_chart_polling_websocket_mqtt(tmp_path):
    path = SCENARIOS / "stock_explorer_websocket.yaml"
    try:
        from costplan.patterns.notify import cost, price_notify, settings_of  # noqa: F401
    except ImportError:
        pytest.skip("notify pricing not built yet")
    if not path.exists():
        pytest.skip("websocket scenario not bundled yet")
    from costplan.pricing.book import PriceBook
    from costplan.report import charts

    sc = scenario.load(path)
    nc, note = S.notify_curve(sc)
    assert note == "" and set(nc.series) == {"HTTP polling", "WebSocket API", "IoT Core MQTT"}
    # the middle point is the scenario's own audience, priced by the notify module
    aud, usd = nc.series["HTTP polling"][6]
    assert aud == nc.audience.to_integral_value()
    assert usd == cost("polling", settings_of(sc), aud, PriceBook(sc.region), sc.free_tier)
    _check_files(charts.notify_chart(nc.series, tmp_path / "notify", audience=nc.audience))
