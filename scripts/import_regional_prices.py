"""Write the sixteen regions of shared/reference/regional/prices.csv into pricing_data/*.yaml.

Run from the repository root: `python scripts/import_regional_prices.py [path/to/regional]`.
us-east-1 is never written (its values and sources stay as they are; tests/test_regions.py checks
the reference's us-east-1 column against them). Every other region is rewritten from the reference:
a value with the reference's source (repository file at its commit, AWS upstream URL, AWS
publication date as `as_of`), or an explicit gap that says what is missing and which
`costplan pricing refresh` fills it. Text-level edits keep the files' comments and layout.
"""
from __future__ import annotations

import csv
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1",
           "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-southeast-1",
           "ap-southeast-2", "ap-northeast-1", "ap-northeast-2"]

# price-book key -> how the reference gives it.
#   ("flat", (svc, dim))                      one value, same unit and `per` as the file
#   ("tiers", [(svc, dim)...], [bounds...])   every tier
#   ("first", (svc, dim), bound)              only the first paid tier: usage above it is a gap
#   ("hourly", (svc, dim))                    an hourly rate for a per-second file: stored with per 3600
#   ("same", (svc, dim), (svc, dim))          two reference rows that must agree (x86 / ARM requests)
MAP: dict[str, tuple] = {
    "lambda.requests": ("same", ("Lambda", "requests_x86"), ("Lambda", "requests_arm64")),
    "lambda.duration_x86_64": ("tiers", [("Lambda", f"duration_x86_tier{i}") for i in (1, 2, 3)],
                               [6000000000, 15000000000, None]),
    "lambda.duration_arm64": ("tiers", [("Lambda", f"duration_arm64_tier{i}") for i in (1, 2, 3)],
                              [7500000000, 18750000000, None]),
    "lambda.ephemeral_storage": ("flat", ("Lambda", "ephemeral_storage")),
    "lambda.provisioned_concurrency_x86_64": ("flat", ("Lambda", "provisioned_concurrency_x86")),
    "lambda.provisioned_concurrency_arm64": ("flat", ("Lambda", "provisioned_concurrency_arm64")),
    "lambda.provisioned_duration_x86_64": ("flat", ("Lambda", "pc_duration_x86")),
    "lambda.provisioned_duration_arm64": ("flat", ("Lambda", "pc_duration_arm64")),
    "fargate.vcpu_linux_x86_64": ("hourly", ("Fargate", "linux_x86_vcpu")),
    "fargate.memory_linux_x86_64": ("hourly", ("Fargate", "linux_x86_memory")),
    "fargate.vcpu_linux_arm64": ("hourly", ("Fargate", "linux_arm_vcpu")),
    "fargate.memory_linux_arm64": ("hourly", ("Fargate", "linux_arm_memory")),
    "fargate.ephemeral_storage": ("hourly", ("Fargate", "ephemeral_storage")),
    "ec2.m5.large": ("flat", ("EC2", "m5.large_linux")),
    "ec2.m7g.large": ("flat", ("EC2", "m7g.large_linux")),
    "ec2.t3.medium": ("flat", ("EC2", "t3.medium_linux")),
    "ec2.c7g.large": ("flat", ("EC2", "c7g.large_linux")),
    "ebs.gp3_storage": ("flat", ("EBS", "gp3_storage")),
    "alb.hours": ("flat", ("ELB", "alb_hour")),
    "alb.lcu_hours": ("flat", ("ELB", "alb_lcu_hour")),
    "vpc.nat_gateway_hours": ("flat", ("VPC", "nat_gateway_hour")),
    "vpc.nat_gateway_data": ("flat", ("VPC", "nat_gateway_data_processed")),
    "vpc.public_ipv4_hours": ("same", ("VPC", "public_ipv4_in_use"), ("VPC", "public_ipv4_idle")),
    "data_transfer.out_internet": ("first", ("DataTransfer", "out_to_internet_first_paid_tier"), 10240),
    "apigateway.http_requests": ("first", ("APIGateway", "http_api_first_tier"), 300000000),
    "apigateway.rest_requests": ("first", ("APIGateway", "rest_api_first_tier"), 333000000),
    "apigateway.websocket_messages": ("first", ("APIGateway", "websocket_messages_first_tier"), 1000000000),
    "apigateway.websocket_connection_minutes": ("flat", ("APIGateway", "websocket_connection_minutes")),
    "sqs.standard_requests": ("first", ("SQS", "standard_requests_tier1"), 100000000000),
    "sqs.fifo_requests": ("first", ("SQS", "fifo_requests_tier1"), 100000000000),
    "sns.requests": ("flat", ("SNS", "standard_publish_requests")),
    "eventbridge.custom_events": ("flat", ("EventBridge", "custom_events")),
    "eventbridge.scheduler_invocations": ("flat", ("EventBridge", "scheduler_invocations")),
    "stepfunctions.standard_transitions": ("flat", ("StepFunctions", "standard_state_transitions")),
    "stepfunctions.express_requests": ("flat", ("StepFunctions", "express_requests")),
    "stepfunctions.express_duration": ("first", ("StepFunctions", "express_duration_tier1"), 1000),
    "dynamodb.write_request_units": ("flat", ("DynamoDB", "on_demand_wru")),
    "dynamodb.read_request_units": ("flat", ("DynamoDB", "on_demand_rru")),
    "dynamodb.storage": ("flat", ("DynamoDB", "storage_standard")),
    "s3.storage": ("first", ("S3", "standard_storage_first_50tb"), 51200),
    "s3.put_requests": ("flat", ("S3", "put_copy_post_list")),
    "s3.get_requests": ("flat", ("S3", "get_and_other")),
    "iot.connection_minutes": ("flat", ("IoTCore", "connectivity")),
    "iot.messages": ("first", ("IoTCore", "messages_first_1b"), 1000000000),
    "glue.dpu_hours": ("flat", ("Glue", "etl_job_dpu_hour")),
    "cloudwatch_logs.ingestion": ("flat", ("CloudWatchLogs", "ingestion_standard")),
    "cloudwatch_logs.storage": ("flat", ("CloudWatchLogs", "storage_archived")),
}

# Prices that are zero by a rule the service states for every region (not a regional rate): the
# file's own source says so; every region gets the same zero with that source.
ZERO_EVERYWHERE = {"sns.lambda_deliveries", "sns.sqs_deliveries", "dynamodb.stream_reads_by_lambda",
                   "dynamodb.ttl_deletes"}


REPLACED_SOURCES = {"ART", "DTO-MAP"}

# Further tiers and dimensions from the same source files the reference cites (same repository,
# same commit), read where prices.csv stops at the first tier or lacks a dimension. Each entry:
# price key -> (source id, [metric name per tier], [tier bounds], factor to the file's `per` unit).
# Extract the files first (see --maps): `git show <commit>:<path>` of each source's repository.
M = 1000000
EXTRA: dict[str, tuple] = {
    "apigateway.http_requests": ("S1:apigateway", ["ApiGatewayHttpApi First 300 million",
                                                   "ApiGatewayHttpApi more than 300 million"], [300000000, None], M),
    "apigateway.rest_requests": ("S1:apigateway", ["API Calls Number of up to 333 million",
                                                   "API Calls Number of Request Next 667 million",
                                                   "API Calls Number of Request Next 19 billion",
                                                   "API Calls Number of Request Over 20 billion"],
                                 [333000000, 1000000000, 20000000000, None], M),
    "apigateway.websocket_messages": ("S1:apigateway", ["WebSocket Messages Messages first 1 billion",
                                                        "WebSocket Messages Messages over 1 billion"],
                                      [1000000000, None], M),
    **{f"apigateway.rest_cache_{k}": ("S1:apigateway", [f"Caching Memory Size {n}"], [None], 1)
       for k, n in [("0_5gb", "0 5"), ("1_6gb", "1 6"), ("6_1gb", "6 1"), ("13_5gb", "13 5"), ("28_4gb", "28 4"),
                    ("58_2gb", "58 2"), ("118gb", "118"), ("237gb", "237")]},
    "sns.http_deliveries": ("S1:sns", ["HTTP Notifications"], [None], M),
    "sns.email_deliveries": ("S1:sns", ["SNS Email and Email JSON Notifications"], [None], 100000),
    "sns.fifo_publishes": ("S1:sns", ["Amazon SNS FIFO API Requests per Requests"], [None], M),
    "sns.fifo_publish_payload": ("S1:sns", ["SNS FIFO Publish Payload per GB"], [None], 1),
    "sns.fifo_deliveries": ("S1:sns", ["Amazon SNS FIFO Subscription Messages per Messages"], [None], M),
    "sns.fifo_delivery_payload": ("S1:sns", ["Amazon SNS FIFO Subscription Messages Payload per GB"], [None], 1),
    "s3.storage": ("S1:s3", ["Standard Storage First 50 TB per GB Mo", "Standard Storage Next 450 TB per GB Mo",
                             "Standard Storage Over 500 TB per GB Mo"], [51200, 512000, None], 1),
    "dynamodb.stream_read_request_units": ("S1:dynamodb", ["Streams Read Requests"], [None], 100000),
    "sqs.standard_requests": ("S2:queueservice", ["Standard per Requests", "Standard per Requests Tier2",
                                                  "Standard per Requests Tier3"],
                              [100000000000, 200000000000, None], M),
    "sqs.fifo_requests": ("S2:queueservice", ["FIFO first-in first-out per Requests",
                                              "FIFO first-in first-out per Requests Tier2",
                                              "FIFO first-in first-out per Requests Tier3"],
                          [100000000000, 200000000000, None], M),
    "eventbridge.api_destination_invocations": ("S2:events", ["CloudWatch Events APIDestination"], [None], M),
    "eventbridge.pipes_requests": ("S2:events", ["Pipe Request per 64K-Chunks"], [None], M),
    "iot.messages": ("S2:iot", ["Messages Up to 1B", "Messages Next 4B", "Messages Over 5B"],
                     [1000000000, 5000000000, None], M),
    "iot.rules_triggered": ("S2:iot", ["RulesTriggered"], [None], M),
    "iot.actions": ("S2:iot", ["ActionsExecuted"], [None], M),
    "data_transfer.out_internet": ("S2:datatransfer", ["DataTransfer External Outbound Next 10 TB",
                                                      "DataTransfer External Outbound Next 40 TB",
                                                      "DataTransfer External Outbound Next 100 TB",
                                                      "DataTransfer External Outbound Greater than 150 TB"],
                                   [10240, 51200, 153600, None], 1),
    # per GB-second in the map, per GB-hour in the file
    "stepfunctions.express_duration": ("S2:states", ["Duration of Workflows from 0 to 3600000",
                                                     "Duration of Workflows from 3600000 to 18000000",
                                                     "Duration of Workflows over 18000000"], [1000, 5000, None], 3600),
}
EC2_TYPES_SOURCE = "S1:ec2-transformed"
# how each source names a region: S1 maps "EU (Frankfurt)", S2 the same; ec2-transformed region codes or slugs
LOCATION = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)",
    "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)", "eu-north-1": "EU (Stockholm)", "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
}
EC2_REGION = {r: r for r in REGIONS} | {"ca-central-1": "canada-(central)", "sa-east-1": "south-america-(sao-paulo)",
                                        "eu-west-3": "eu-(paris)", "eu-north-1": "eu-(stockholm)",
                                        "ap-south-1": "asia-pacific-(mumbai)", "ap-northeast-2": "asia-pacific-(seoul)"}
MAP_FILES = {  # source id -> file name under --maps (`git show <commit>:<path>` of the source's url)
    "S1:apigateway": "apigateway.json", "S1:sns": "sns.json", "S1:s3": "s3.json", "S1:dynamodb": "dynamodb.json",
    "S1:ec2-transformed": "ec2-transformed.json", "S2:queueservice": "queueservice.json",
    "S2:events": "events.json", "S2:iot": "iot.json", "S2:datatransfer": "datatransfer.json",
    "S2:states": "states.json",
}


def load_maps(folder: Path | None) -> dict:
    import json

    if folder is None:
        return {}
    out = {}
    for sid, name in MAP_FILES.items():
        data = json.loads((folder / name).read_text())
        if sid == EC2_TYPES_SOURCE:
            table = {}
            for row in data:
                if row["attributes"].get("operatingSystem") == "Linux" and row["unit"] == "USD per hour":
                    table.setdefault((row["region"], row["attributes"]["instanceType"]), set()).add(row["pricePerUnit"])
            out[sid] = table
        elif sid.startswith("S1:"):
            out[sid] = {(loc, name): v["price"] for loc, names in data["regions"].items() for name, v in names.items()}
        else:
            # datatransfer.json names a tiered location "EU (Ireland) (StartingRange: 0, EndingRange: 10240)"
            out[sid] = {(re.sub(r" \(StartingRange: .*\)$", "", loc), metric): v
                        for metric, locs in data.items() for loc, v in locs.items()}
    return out


def extra_value(key: str, region: str, maps: dict, used: set) -> str | None:
    """A region value from the source maps, or None where they do not have it."""
    if not maps:
        return None
    service, _, name = key.partition(".")
    if service == "ec2":
        vals = maps[EC2_TYPES_SOURCE].get((EC2_REGION[region], name))
        if not vals:
            return None
        if len(vals) != 1:
            raise SystemExit(f"{key} {region}: several Linux on-demand prices {vals}")
        used.add(EC2_TYPES_SOURCE)
        return f'{{usd: "{fmt(next(iter(vals)))}", source: {source_key(EC2_TYPES_SOURCE)}}}'
    if key not in EXTRA:
        return None
    sid, metrics, bounds, factor = EXTRA[key]
    vals = [maps[sid].get((LOCATION[region], m)) for m in metrics]
    if any(v is None for v in vals):
        return None
    used.add(sid)
    usd = [fmt(str(Decimal(v) * factor)) for v in vals]
    if bounds == [None]:
        return f'{{usd: "{usd[0]}", source: {source_key(sid)}}}'
    tiers = ", ".join(f"[{'null' if b is None else b}, \"{u}\"]" for u, b in zip(usd, bounds))
    return f"{{tiers: [{tiers}], source: {source_key(sid)}}}"


def source_key(source_id: str) -> str:
    return "REG-" + re.sub(r"[^A-Za-z0-9]+", "-", source_id).strip("-").upper()


def load_reference(folder: Path):
    prices: dict[tuple[str, str, str], tuple[str, str]] = {}
    with open(folder / "prices.csv", newline="") as f:
        for row in csv.DictReader(f):
            prices[(row["region"], row["service"], row["dimension"])] = (row["usd"], row["source_id"])
    sources: dict[str, dict] = {}
    with open(folder / "sources.csv", newline="") as f:
        for row in csv.DictReader(f):
            sources[row["source_id"]] = row
    return prices, sources


def fmt(v: str) -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from costplan.units import price_text

    return price_text(Decimal(v))


def as_of(date_field: str) -> str:
    m = re.search(r"\d{4}-\d{2}-\d{2}", date_field)
    return m.group(0) if m else "undated"


def source_block(sid: str, row: dict) -> list[str]:
    title = f"{row['what']}; upstream {row['upstream_aws_url']}; {row['date']}".replace('"', "'")
    return [f"  {source_key(sid)}:",
            f"    url: {row['url']}",
            f'    title: "Regional reference {sid}: {title}"',
            f'    as_of: "{as_of(row["date"])}"',
            f"    grade: {row['grade']}"]


def q(s) -> str:
    return "null" if s is None else f'"{s}"'


def region_value(key: str, region: str, ref, used: set, refreshable, maps=None) -> str:
    """The flow-style YAML value of one region of one price: the reference's, completed from the
    source maps where prices.csv stops at the first tier or lacks the dimension."""
    import yaml

    base = _region_value(key, region, ref, used, refreshable)
    more = extra_value(key, region, maps or {}, used)
    if more is None:
        return base
    b, m = yaml.safe_load(base), yaml.safe_load(more)
    if "gap" not in b:  # the map must agree with prices.csv where both have the value
        bt = b.get("tiers") or [[None, b["usd"]]]
        mt = m.get("tiers") or [[None, m["usd"]]]
        if Decimal(bt[0][1]) != Decimal(mt[0][1]) or (len(bt) > 1 and bt != mt):
            raise SystemExit(f"{key} {region}: prices.csv {bt} but the source map {mt}")
        if b.get("per"):
            return base
    return more


def _region_value(key: str, region: str, ref, used: set, refreshable) -> str:
    service = key.split(".")[0]
    refresh = f"`costplan pricing refresh --region {region} --services {service}` fetches it"
    spec = MAP.get(key)
    if spec is None:
        if refreshable(key):
            return f'{{gap: "not in the regional reference; {refresh}"}}'
        return (f'{{gap: "not in the regional reference and not mapped by pricing refresh; '
                f'add it with its source to pricing_data/{service}.yaml"}}')
    kind = spec[0]

    def cell(sd):
        usd, sid = ref[(region, sd[0], sd[1])]
        if usd in ("", "GAP"):
            raise SystemExit(f"{key} {region}: the reference has a gap for {sd}")
        used.add(sid)
        return usd, source_key(sid)

    if kind == "flat":
        usd, src = cell(spec[1])
        return f'{{usd: "{fmt(usd)}", source: {src}}}'
    if kind == "same":
        (a, src), (b, _) = cell(spec[1]), cell(spec[2])
        if Decimal(a) != Decimal(b):
            raise SystemExit(f"{key} {region}: {spec[1]} {a} != {spec[2]} {b}")
        return f'{{usd: "{fmt(a)}", source: {src}}}'
    if kind == "hourly":
        usd, src = cell(spec[1])
        return f'{{usd: "{fmt(usd)}", per: 3600, source: {src}}}'
    if kind == "tiers":
        vals = [cell(sd) for sd in spec[1]]
        srcs = {s for _, s in vals}
        assert len(srcs) == 1, srcs
        tiers = ", ".join(f"[{'null' if b is None else b}, \"{fmt(v)}\"]" for (v, _), b in zip(vals, spec[2]))
        return f"{{tiers: [{tiers}], source: {srcs.pop()}}}"
    if kind == "first":
        usd, src = cell(spec[1])
        return f'{{tiers: [[{spec[2]}, "{fmt(usd)}"]], source: {src}}}'
    raise AssertionError(kind)


REGION_LINE = re.compile(r"^      ([a-z]{2}-[a-z]+-\d):")


def rewrite(text: str, service: str, ref, used: set, refreshable, maps=None) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    price = None
    in_prices = False
    first_only_note = {k for k, v in MAP.items() if v[0] == "first" and k.startswith(service + ".")}
    while i < len(lines):
        line = lines[i]
        if line.startswith("prices:"):
            in_prices = True
        m = re.match(r"^  ([^\s#][^:]*):\s*$", line)
        if in_prices and m:
            price = m.group(1)
        if in_prices and line == "    regions:":
            out.append(line)
            i += 1
            us_east: list[str] = []
            current = None
            while i < len(lines) and (lines[i].startswith("      ") or not lines[i].strip()):
                rm = REGION_LINE.match(lines[i])
                if rm:
                    current = rm.group(1)
                if current == "us-east-1" and not lines[i].lstrip().startswith("#"):
                    us_east.append(lines[i])
                i += 1
            if not us_east:
                raise SystemExit(f"{service}.{price}: no us-east-1 value")
            out.extend(us_east)
            key = f"{service}.{price}"
            if key in first_only_note and "tiers: [[" in region_value(key, "eu-west-1", ref, set(), refreshable, maps) \
                    and "], [" not in region_value(key, "eu-west-1", ref, set(), refreshable, maps):
                out.append("      # Outside us-east-1 the reference has only the first paid tier: usage above it "
                           "is a gap until `pricing refresh` fills the rest.")
            for region in REGIONS[1:]:
                if key in ZERO_EVERYWHERE:
                    val = "{usd: \"0\"}"
                else:
                    val = region_value(key, region, ref, used, refreshable, maps)
                out.append(f"      {region}: {val}")
            continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def add_sources(text: str, blocks: list[list[str]]) -> str:
    lines = text.splitlines()
    # the sources block ends where the next top-level key starts
    start = lines.index("sources:")
    end = start + 1
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    existing = "\n".join(lines[start:end])
    new = [ln for b in blocks if f"\n{b[0]}\n" not in existing + "\n" for ln in b]
    return "\n".join(lines[:end] + new + lines[end:]) + "\n"


def drop_unused_sources(text: str) -> str:
    import yaml

    data = yaml.safe_load(text)
    used = set()
    for e in data["prices"].values():
        used.add(e.get("source"))
        if e.get("free"):
            used.add(e["free"].get("source"))
        for r in e.get("regions", {}).values():
            if isinstance(r, dict) and r.get("source"):
                used.add(r["source"])
    # only sources that cited regional values the reference now replaces (ENI-1 cites `instances:`)
    unused = [k for k in data["sources"] if k not in used and k in REPLACED_SOURCES]
    if not unused:
        return text
    lines = text.splitlines()
    out, skip = [], False
    for ln in lines:
        m = re.match(r"^  ([^\s#][^:]*):\s*$", ln)
        if m:
            skip = m.group(1) in unused
        elif not ln.startswith("    "):
            skip = False
        if not skip:
            out.append(ln)
    print(f"  dropped unused sources: {', '.join(unused)}")
    return "\n".join(out) + "\n"


def check_us_east_1(data_dir: Path, maps: dict) -> list[str]:
    """The source maps' us-east-1 values against the bundled ones: a difference is a mapping error
    (or a rounding the bundled source made, which the caller reads and judges)."""
    import yaml

    out = []
    keys = list(EXTRA) + [f"ec2.{t}" for t in yaml.safe_load((data_dir / "ec2.yaml").read_text())["prices"]]
    for key in keys:
        service, _, name = key.partition(".")
        entry = yaml.safe_load((data_dir / f"{service}.yaml").read_text())["prices"][name]
        ours = entry["regions"]["us-east-1"]
        ours_t = [[u, Decimal(str(v))] for u, v in ours["tiers"]] if "tiers" in ours else [[None, Decimal(ours["usd"])]]
        val = extra_value(key, "us-east-1", maps, set())
        if val is None:
            out.append(f"{key}: no us-east-1 value in the source map")
            continue
        m = yaml.safe_load(val)
        theirs = [[u, Decimal(v)] for u, v in m["tiers"]] if "tiers" in m else [[None, Decimal(m["usd"])]]
        if ours_t != theirs:
            out.append(f"{key}: bundled {ours_t} vs source map {theirs}")
    return out


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("reference", nargs="?", default="/work/shared/reference/regional")
    ap.add_argument("--maps", type=Path, help="folder with the cited source files (see MAP_FILES)")
    args = ap.parse_args(argv[1:])
    folder = Path(args.reference)
    ref, ref_sources = load_reference(folder)
    maps = load_maps(args.maps)
    for line in check_us_east_1(ROOT / "pricing_data", maps) if maps else []:
        print("us-east-1 check:", line)
    sys.path.insert(0, str(ROOT))
    from costplan.aws.pricelist import mapped

    data_dir = ROOT / "pricing_data"
    for f in sorted(data_dir.glob("*.yaml")):
        if f.name in ("quotas.yaml", "regions.yaml"):
            continue
        service = f.stem
        used: set[str] = set()
        text = rewrite(f.read_text(), service, ref, used, mapped, maps)
        text = add_sources(text, [source_block(s, ref_sources[s]) for s in sorted(used)])
        text = drop_unused_sources(text)
        f.write_text(text)
        print(f"{f.name}: sources {', '.join(sorted(used)) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
