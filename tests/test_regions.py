"""Sixteen regions: the bundled prices against the regional reference, every scenario in every region,
`costplan regions` and `--region` validation."""
from __future__ import annotations

import csv
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costplan.pricing.book import PriceBook, coverage, regions

ROOT = Path(__file__).resolve().parent.parent
# A copy of shared/reference/regional (README there): AWS pricing-page price maps, 16 regions.
REFERENCE = Path(__file__).parent / "fixtures" / "regional" / "prices.csv"
SIXTEEN = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1",
           "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-southeast-1",
           "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]


def _importer():
    spec = importlib.util.spec_from_file_location("import_regional_prices",
                                                  ROOT / "scripts" / "import_regional_prices.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


MAP = _importer().MAP  # price-book key -> reference dimension(s): the mapping under test


def reference() -> dict:
    with open(REFERENCE, newline="") as f:
        return {(r["region"], r["service"], r["dimension"]): r["usd"] for r in csv.DictReader(f)}


def test_the_price_book_covers_exactly_the_sixteen_regions():
    assert list(regions()) == SIXTEEN


def _check(key: str, region: str, ref: dict) -> list[str]:
    """The bundled price against the reference cell(s); a difference is a mapping error."""
    kind, *spec = MAP[key]
    price = PriceBook(region).get(key)
    per = price.per
    written = [(t.upto, t.usd * per) for t in price.tiers]  # as the file writes it, per `per`
    cell = lambda sd: Decimal(ref[(region, *sd)])  # noqa: E731
    errors = []
    if kind in ("flat", "same"):
        expected = [cell(spec[0])]
        if kind == "same":
            assert cell(spec[0]) == cell(spec[1]), (key, region)
        got = [written[0][1]]
        if len(written) != 1:
            errors.append(f"{key} {region}: {len(written)} tiers, expected one")
    elif kind == "hourly":
        hourly = cell(spec[0])
        unit = price.tiers[0].usd
        if region == "us-east-1":  # the pricing page's per-second digits: hourly ÷ 3600 at their precision
            exp = unit.as_tuple().exponent
            expected, got = [(hourly / 3600).quantize(Decimal(1).scaleb(exp))], [unit]
        else:  # stored hourly, exact
            expected, got = [hourly], [(unit * 3600).quantize(Decimal("1e-20"))]
    elif kind == "tiers":
        expected = [cell(sd) for sd in spec[0]]
        got = [usd for _, usd in written]
        assert [u for u, _ in written] == [None if b is None else Decimal(b) for b in spec[1]], (key, region)
    else:  # "first": the first paid tier and its bound
        expected, got = [cell(spec[0])], [written[0][1]]
        assert written[0][0] == Decimal(spec[1]), (key, region)
    if [g.normalize() for g in got] != [e.normalize() for e in expected]:
        errors.append(f"{key} {region}: bundled {got} but the reference {expected}")
    return errors


# Step Functions Express duration, us-east-1: the bundled figure is the pricing page's rounded
# $0.06000 per GB-hour; the price map says $0.00001667 per GB-second = $0.060012 per GB-hour.
US_EAST_1_KNOWN_ROUNDING = {"stepfunctions.express_duration"}


def test_the_reference_us_east_1_column_equals_the_bundled_prices():
    """Any us-east-1 mismatch means the key-to-dimension mapping is wrong (the reference's README)."""
    ref = reference()
    errors = [e for key in MAP if key not in US_EAST_1_KNOWN_ROUNDING for e in _check(key, "us-east-1", ref)]
    assert errors == []
    # and the one known difference is only the page's rounding (below $0.00002 per GB-hour)
    got = PriceBook("us-east-1").get("stepfunctions.express_duration").tiers[0].usd
    assert abs(got - Decimal(ref[("us-east-1", "StepFunctions", "express_duration_tier1")])) <= Decimal("0.00002")


@pytest.mark.parametrize("region", SIXTEEN[1:])
def test_every_region_matches_the_reference_csv(region):
    """Every mapped price of every service, per region (this covers the 'three regions and five
    services' of issue 13 many times over)."""
    ref = reference()
    assert [e for key in MAP for e in _check(key, region, ref)] == []


@pytest.mark.parametrize("region,key,dimension,expected", [
    # spelled out for three regions and five services, as a reviewer would read them off prices.csv
    ("eu-central-1", "apigateway.http_requests", ("APIGateway", "http_api_first_tier"), "1.20"),
    ("eu-central-1", "lambda.provisioned_concurrency_x86_64", ("Lambda", "provisioned_concurrency_x86"),
     "0.0000050147"),
    ("eu-central-1", "dynamodb.write_request_units", ("DynamoDB", "on_demand_wru"), "0.7625"),
    ("ap-south-1", "ec2.m7g.large", ("EC2", "m7g.large_linux"), "0.0583"),
    ("ap-south-1", "sqs.standard_requests", ("SQS", "standard_requests_tier1"), "0.40"),
    ("sa-east-1", "apigateway.http_requests", ("APIGateway", "http_api_first_tier"), "1.59"),
    ("sa-east-1", "ec2.m5.large", ("EC2", "m5.large_linux"), "0.153"),
])
def test_three_regions_five_services_against_the_reference(region, key, dimension, expected):
    ref = reference()
    assert Decimal(ref[(region, *dimension)]) == Decimal(expected)
    p = PriceBook(region).get(key)
    assert p.tiers[0].usd * p.per == Decimal(expected)
    assert p.source.as_of[:4] == "2025" and "github.com" in p.source.url and p.source.grade == "S"


def test_fargate_outside_us_east_1_is_the_hourly_rate_exactly():
    p = PriceBook("ap-south-1").get("fargate.vcpu_linux_arm64")
    assert p.per == 3600 and p.display() == "$0.02383 per vCPU-hour"
    # one vCPU for 730 hours is the hourly rate × 730 to the cent
    assert round(p.tiers[0].usd * 3600 * 730, 2) == round(Decimal("0.02383") * 730, 2)
    # us-east-1 keeps the pricing page's per-second rate
    assert PriceBook("us-east-1").get("fargate.vcpu_linux_arm64").tiers[0].usd == Decimal("0.0000089944")


def _scenarios() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "alternatives").glob("*.yaml"))


def test_every_scenario_runs_compare_limits_and_report_in_every_region_without_a_gap():
    from costplan import limits, scenario
    from costplan.compute.compare import compare
    from costplan.report import markdown_report as mr

    files = _scenarios()
    assert len(files) >= 14
    failures = []
    totals: dict[str, set] = {}
    for f in files:
        raw = yaml.safe_load(f.read_text())
        for region in SIXTEEN:
            s = scenario.from_dict(dict(raw, region=region), str(f))
            try:
                c = compare(s)
                limits.check([s])
                lim, note = mr.run_limits([s])
                text = mr.render([c], lim, note, None)
            except Exception as e:  # noqa: BLE001 - collect every failure, then report them all
                failures.append(f"{f.name} {region}: {e}")
                continue
            assert c.scenario.name in text
            totals.setdefault(f.name, set()).add(c.cheapest.monthly_usd)
    assert failures == []
    # regional prices differ: not every scenario costs the same in all sixteen regions
    assert sum(len(v) > 1 for v in totals.values()) >= len(files) - 1


def test_coverage_counts_known_prices_gaps_and_the_oldest_date():
    east, frankfurt = coverage("us-east-1"), coverage("eu-central-1")
    assert east.gaps == () and east.known == frankfurt.total
    # Fargate Windows is not in the regional reference: three explicit gaps outside us-east-1
    assert set(frankfurt.gaps) == {"fargate.vcpu_windows_x86_64", "fargate.windows_os_license",
                                   "fargate.memory_windows_x86_64"}
    assert frankfurt.oldest and frankfurt.oldest <= "2025-06-18"


def test_regions_command_lists_coverage(cli):
    code, out, _ = cli("regions", "--format", "json")
    assert code == 0
    rows = json.loads(out)["regions"]
    assert [r["region"] for r in rows] == SIXTEEN
    fra = next(r for r in rows if r["region"] == "eu-central-1")
    assert fra["known"] + fra["gaps"] == fra["prices"] and fra["gaps"] == 3 and fra["oldest_price"]
    code, out, _ = cli("regions")
    assert code == 0 and "eu-central-1" in out and "Europe (Frankfurt)" in out


def test_a_scenario_in_a_region_the_price_book_lacks_is_one_line_when_priced(cli, tmp_path):
    # limits-check may check quotas of other regions (i12); pricing one needs the price book's
    text = (ROOT / "scenarios" / "global_vote.yaml").read_text().replace("region: us-east-1", "region: eu-central1")
    f = tmp_path / "s.yaml"
    f.write_text(text)
    for cmd in ("compare", "report"):
        code, out, err = cli(cmd, str(f))
        assert code == 2 and out == "", cmd
        assert err.strip() == (f"error: {f}:19: region: unknown region 'eu-central1' "
                               f"(did you mean \"eu-central-1\"?)"), cmd  # names the file and line


@pytest.mark.parametrize("args", [
    ["compare", "scenarios/global_vote.yaml", "--region", "mars-1"],
    ["price", "lambda", "monthly_requests=1", "--region", "mars-1"],
    ["pricing", "show", "lambda", "--region", "mars-1"],
    ["report", "scenarios/global_vote.yaml", "--region", "mars-1"],
])
def test_region_flag_accepts_exactly_the_price_book_regions(cli, args, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()  # one line, naming the file where a scenario is priced there
    assert line.endswith("region: unknown region 'mars-1'; the price book covers " + ", ".join(SIXTEEN))
    assert line.startswith("error: scenarios/global_vote.yaml: region:" if "scenarios/global_vote.yaml" in args
                           else "error: region:")


def test_a_near_miss_region_gets_a_did_you_mean(cli):
    code, _, err = cli("price", "lambda", "monthly_requests=1", "--region", "eu-central1")
    assert code == 2 and 'did you mean "eu-central-1"?' in err

