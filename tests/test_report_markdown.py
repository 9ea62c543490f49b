"""The review document: golden Markdown for two bundled scenarios, and it renders as GitHub-style HTML tables."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from conftest import SCENARIOS
from costplan import scenario
from costplan.compute.compare import compare
from costplan.report import markdown_report as mr

NOTE = "limits not checked in this test"


def _report(name: str, **kw) -> str:
    sc = scenario.load(f"scenarios/{name}.yaml")
    return mr.render([compare(sc)], **({"limits_note": NOTE} | kw))


def _full_report(name: str) -> str:
    """The document as `costplan report` writes it: costs and the real limits-check findings."""


    sc = scenario.load(f"scenarios/{name}.yaml")
    return mr.render([compare(sc)], limits=mr.run_limits([sc])[0])


@pytest.fixture(autouse=True)
def _cwd(monkeypatch):
    monkeypatch.chdir(SCENARIOS.parent)  # the file path shown in the report is relative


@pytest.mark.parametrize("name", ["steady_heavy_api", "periodic_light_api"])
def test_golden(golden, name):
    golden(f"report/{name}.md", _full_report(name))


def _tables(html: str) -> list[tuple[list[str], int]]:
    out = []
    for t in re.findall(r"<table>(.*?)</table>", html, re.S):
        head = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", t, re.S)
        body = re.search(r"<tbody>(.*?)</tbody>", t, re.S)
        out.append((head, len(re.findall(r"<tr>", body.group(1))) if body else 0))
    return out


def test_markdown_renders_as_tables():
    markdown = pytest.importorskip("markdown")
    text = _report("steady_heavy_api")
    # GitHub renders Markdown inside <details> when a blank line follows <summary>; python-markdown does not,
    # so check the blocks are well formed, then render their contents as GitHub would.
    assert text.count("<details>") == text.count("</details>") > 0
    assert all(s.endswith("</summary>\n\n") for s in re.findall(r"<summary>.*?</summary>\n\n?", text))
    html = markdown.markdown(re.sub(r"</?details>|<summary>.*?</summary>", "", text), extensions=["tables"])
    tables = _tables(html)
    heads = [h for h, _ in tables]
    assert ["Alternative", "Monthly", "Yearly", "vs cheapest", ""] in heads
    cost = next(n for h, n in tables if h[:2] == ["Alternative", "Monthly"])
    assert cost == 3  # Lambda, Fargate, EC2
    items = [n for h, n in tables if h == ["Resource", "Item", "Quantity", "Unit", "Price", "Monthly"]]
    # line items + the total row: each alternative has 3 log lines; Lambda 4 + its INIT + data transfer
    # out (free, paid); Fargate vCPU, memory, ALB, LCUs, the ALB's and the tasks' IPv4 + data transfer;
    # EC2 instances, root volumes, ALB, LCUs, IPv4 × 2 + data transfer
    assert items == [3 + 7 + 1, 3 + 8 + 1, 3 + 8 + 1]
    assert ["Field", "Value", "From"] in heads
    assert ["Source", "As of", "Price keys"] in heads
    # no table lost to a bad separator row: every pipe-table header in the text became a <table>
    assert len(tables) == len(re.findall(r"^\|:?---", text, re.M))


def test_every_section_and_every_default():
    text = _report("periodic_light_api")
    for heading in ("### Architecture", "### Monthly cost", "### Break-even", "### Recommendation", "### Limits",
                    "### Assumptions", "## Sources"):
        assert heading in text
    assert NOTE in text
    assert "| `ecs.target_utilization` | 0.7 | default |" in text  # a default the file did not set
    assert "| `workload.memory_mb` | 512 | scenario file |" in text
    assert "https://aws.amazon.com/lambda/pricing/" in text


def test_limits_findings_with_fixes():
    f = SimpleNamespace(check="lambda.account_concurrency", scenario="periodic-light-api", status="fail",
                        needed=1500, limit=1000, unit="concurrent executions", headroom=-0.5,
                        limit_source="default", message="peak needs 1,500 of 1,000", fix="request a quota increase",
                        source_url="https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html")
    ok = {"check": "apigateway.rps", "scenario": "periodic-light-api", "status": "ok", "needed": 3, "limit": 10000,
          "unit": "req/s", "headroom": 0.99, "message": "fine", "fix": "nothing"}
    text = _report("periodic_light_api", limits=SimpleNamespace(findings=[ok, f]))
    lim = text[text.index("### Limits"):text.index("### Assumptions")]
    assert "1 failing, 0 warning, 1 within limits." in lim
    assert lim.index("lambda.account_concurrency") < lim.index("apigateway.rps")  # failures first
    assert "request a quota increase" in lim and "nothing" not in lim  # fixes only where something is wrong
    assert "gettingstarted-limits.html" in text[text.index("## Sources"):]


def test_cli_report_writes_file_and_refuses_overwrite(cli, tmp_path):
    out = tmp_path / "review.md"
    code, _, err = cli("report", "scenarios/steady_heavy_api.yaml", "--out", str(out))
    assert code == 0, err
    assert out.read_text().startswith("# Cost and capacity review: steady-heavy-api")
    code, _, err = cli("report", "scenarios/steady_heavy_api.yaml", "--out", str(out))
    assert code == 2 and "already exists" in err
    code, _, err = cli("report", "scenarios/steady_heavy_api.yaml", "--out", str(out), "--force")
    assert code == 0, err


def test_cli_report_bad_file(cli):
    code, out, err = cli("report", "scenarios/nope.yaml")
    assert code == 2 and "no such file" in err and "Traceback" not in err


def test_cli_report_includes_limits_when_available(cli):
    code, out, err = cli("report", "scenarios/steady_heavy_api.yaml")
    assert code == 0, err
    section = out[out.index("### Limits"):out.index("### Assumptions")]
    assert "| Status | Check | Needed | Limit | Headroom | Limit from | Finding | Fix |" in section
    assert "Quotas:" in out[out.index("## Sources"):]
