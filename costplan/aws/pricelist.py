"""Which AWS Price List product is which price-book price (no boto3, no network here).

One mapping serves both refresh sources: the public bulk offer files (`--source bulk`, no
credentials) and the Price List query API (`--source api`, boto3). Both return products in the same
shape: `product.attributes` (usagetype, productFamily, ...) and `terms.OnDemand[..].priceDimensions`.
The usagetypes and attribute filters are those of shared/reference/regional/refresh_map.csv
(infracost's attribute filters, D5 there). In a per-region file a usagetype carries the region's
prefix (`EUC1-`, `EU-` for eu-west-1, often none in us-east-1); rules name it without the prefix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_BULK_URL = "https://pricing.us-east-1.amazonaws.com"
BULK_URL_ENV = "COSTPLAN_PRICE_LIST_URL"


@dataclass(frozen=True)
class Rule:
    """Which Price List product is a price-book price, and how to convert its unit."""

    usagetype: str  # without the region prefix ("USE1-", "EU-", ...)
    units: tuple[str, ...]  # Price List units accepted (compared case-insensitively)
    attributes: tuple[tuple[str, str], ...] = ()  # further product attributes that must match
    scale: Decimal = Decimal(1)  # Price List unit ÷ price-book unit as a price factor (per hour → per second: 1/3600)
    offer: str = ""  # offer code when it is not the file's (vpc.yaml reads AmazonEC2 and AmazonVPC)
    skip_free: bool = False  # drop leading $0 dimensions: the price book models that free tier itself


@dataclass(frozen=True)
class ServiceMap:
    service: str  # price data file name, "lambda" → lambda.yaml
    service_code: str  # Price List offer code / ServiceCode
    rules: dict[str, Rule]
    filters: tuple[tuple[str, str], ...] = ()  # extra TERM_MATCH filters for GetProducts
    dynamic: object = field(default=None, compare=False)  # rule for a key not listed (ec2.<type>)

    def rule(self, name: str) -> Rule | None:
        if name in self.rules:
            return self.rules[name]
        return self.dynamic(name) if self.dynamic else None

    def offers(self, names) -> list[str]:
        """The offer files the named prices need, the file's own first."""
        out = [self.service_code]
        for n in names:
            r = self.rule(n)
            if r and r.offer and r.offer not in out:
                out.append(r.offer)
        return out


PER_HOUR = Decimal(1) / Decimal(3600)
_FIFO = ("queueType", "FIFO (first-in, first-out)")
_LAMBDA_GBS = ("Lambda-GB-Second", "GB-Seconds", "Second")

LAMBDA = ServiceMap("lambda", "AWSLambda", {
    "requests": Rule("Request", ("Requests", "Request")),
    "duration_x86_64": Rule("Lambda-GB-Second", _LAMBDA_GBS),
    "duration_arm64": Rule("Lambda-GB-Second-ARM", _LAMBDA_GBS),
    "ephemeral_storage": Rule("Lambda-Storage-GB-Second", _LAMBDA_GBS),
    "provisioned_concurrency_x86_64": Rule("Lambda-Provisioned-Concurrency", _LAMBDA_GBS),
    "provisioned_concurrency_arm64": Rule("Lambda-Provisioned-Concurrency-ARM", _LAMBDA_GBS),
    "provisioned_duration_x86_64": Rule("Lambda-Provisioned-GB-Second", _LAMBDA_GBS),
    "provisioned_duration_arm64": Rule("Lambda-Provisioned-GB-Second-ARM", _LAMBDA_GBS),
})

# Fargate's Price List rates are hourly; fargate.yaml stores us-east-1 per second (the pricing page's
# printed digits) and the other regions hourly with `per: 3600`. Converting to the per-second
# rate is a division; a refresh writes the hourly figure exactly where the file keeps `per: 3600`.
_FHRS = ("hours", "vCPU-Hours", "GB-Hours", "hrs")
FARGATE = ServiceMap("fargate", "AmazonECS", {
    "vcpu_linux_x86_64": Rule("Fargate-vCPU-Hours:perCPU", _FHRS, scale=PER_HOUR),
    "memory_linux_x86_64": Rule("Fargate-GB-Hours", _FHRS, scale=PER_HOUR),
    "vcpu_linux_arm64": Rule("Fargate-ARM-vCPU-Hours:perCPU", _FHRS, scale=PER_HOUR),
    "memory_linux_arm64": Rule("Fargate-ARM-GB-Hours", _FHRS, scale=PER_HOUR),
    "vcpu_windows_x86_64": Rule("Fargate-Windows-vCPU-Hours:perCPU", _FHRS, scale=PER_HOUR),
    "windows_os_license": Rule("Fargate-Windows-OS-Hours:perCPU", _FHRS, scale=PER_HOUR),
    "memory_windows_x86_64": Rule("Fargate-Windows-GB-Hours", _FHRS, scale=PER_HOUR),
    "ephemeral_storage": Rule("Fargate-EphemeralStorage-GB-Hours", _FHRS, scale=PER_HOUR),
})

SQS = ServiceMap("sqs", "AWSQueueService", {
    "standard_requests": Rule("Requests-Tier1", ("Requests",), (("queueType", "Standard"),)),
    "fifo_requests": Rule("Requests-FIFO-Tier1", ("Requests",), (_FIFO,)),
})

_EC2_LINUX = (("operatingSystem", "Linux"), ("tenancy", "Shared"), ("preInstalledSw", "NA"),
              ("licenseModel", "No License required"), ("capacitystatus", "Used"))


def _ec2_rule(name: str) -> Rule | None:
    # every `ec2.<instance type>` key: Linux, shared tenancy, on-demand
    if "." not in name:
        return None
    return Rule(f"BoxUsage:{name}", ("Hrs",), _EC2_LINUX)


_REQ = ("Requests", "Request")
_DELIVERIES = ("Notifications", "Requests", "Deliveries", "Count")
BULK: dict[str, ServiceMap] = {
    "lambda": LAMBDA,
    "fargate": FARGATE,
    "sqs": SQS,
    "ec2": ServiceMap("ec2", "AmazonEC2", {}, filters=_EC2_LINUX, dynamic=_ec2_rule),
    "ebs": ServiceMap("ebs", "AmazonEC2", {
        "gp3_storage": Rule("EBS:VolumeUsage.gp3", ("GB-Mo",), (("volumeApiName", "gp3"),)),
    }, filters=(("volumeApiName", "gp3"),)),
    "vpc": ServiceMap("vpc", "AmazonEC2", {
        "nat_gateway_hours": Rule("NatGateway-Hours", ("Hrs",), (("productFamily", "NAT Gateway"),)),
        "nat_gateway_data": Rule("NatGateway-Bytes", ("GB",), (("productFamily", "NAT Gateway"),)),
        "public_ipv4_hours": Rule("PublicIPv4:InUseAddress", ("Hrs",), offer="AmazonVPC"),
    }, filters=(("productFamily", "NAT Gateway"),)),
    "alb": ServiceMap("alb", "AWSELB", {
        "hours": Rule("LoadBalancerUsage", ("Hrs",), (("productFamily", "Load Balancer-Application"),)),
        "lcu_hours": Rule("LCUUsage", ("LCU-Hrs",), (("productFamily", "Load Balancer-Application"),)),
    }),
    "data_transfer": ServiceMap("data_transfer", "AWSDataTransfer", {
        "out_internet": Rule("DataTransfer-Out-Bytes", ("GB",), (("transferType", "AWS Outbound"),)),
    }),
    "apigateway": ServiceMap("apigateway", "AmazonApiGateway", {
        "http_requests": Rule("ApiGatewayHttpRequest", _REQ, (("operation", "ApiGatewayHttpApi"),)),
        "rest_requests": Rule("ApiGatewayRequest", _REQ, (("productFamily", "API Calls"),)),
        "websocket_messages": Rule("ApiGatewayMessage", ("Messages", "Message"), (("productFamily", "WebSocket"),)),
        "websocket_connection_minutes": Rule("ApiGatewayMinute", ("Minutes", "Minute"),
                                             (("productFamily", "WebSocket"),)),
    }),
    "sns": ServiceMap("sns", "AmazonSNS", {
        "requests": Rule("Requests-Tier1", _REQ, (("productFamily", "API Request"),), skip_free=True),
        # deliveries: DeliveryAttempts-<protocol> (infracost's sns_topic filters); free ranges first
        "http_deliveries": Rule("DeliveryAttempts-HTTP", _DELIVERIES, skip_free=True),
        "email_deliveries": Rule("DeliveryAttempts-SMTP", _DELIVERIES, skip_free=True),
        "lambda_deliveries": Rule("DeliveryAttempts-LAMBDA", _DELIVERIES, skip_free=True),
        "sqs_deliveries": Rule("DeliveryAttempts-SQS", _DELIVERIES, skip_free=True),
    }),
    "eventbridge": ServiceMap("eventbridge", "AWSEvents", {
        "custom_events": Rule("Event-64K-Chunks", ("Events", "Count")),
        "scheduler_invocations": Rule("ScheduledInvocation", ("Invocations", "Count", "Requests"), skip_free=True),
    }),
    "stepfunctions": ServiceMap("stepfunctions", "AmazonStates", {
        "standard_transitions": Rule("StateTransition", ("StateTransitions", "Transitions")),
        "express_requests": Rule("StepFunctions-Request", _REQ),
        "express_duration": Rule("StepFunctions-GB-Second", ("GB-Seconds", "GB-Second"), scale=Decimal(3600)),
    }),
    "dynamodb": ServiceMap("dynamodb", "AmazonDynamoDB", {
        "write_request_units": Rule("WriteRequestUnits", ("WriteRequestUnits", "WriteRequestUnit"),
                                    (("group", "DDB-WriteUnits"),)),
        "read_request_units": Rule("ReadRequestUnits", ("ReadRequestUnits", "ReadRequestUnit"),
                                   (("group", "DDB-ReadUnits"),)),
        "storage": Rule("TimedStorage-ByteHrs", ("GB-Mo",), (("productFamily", "Database Storage"),),
                        skip_free=True),
    }),
    "s3": ServiceMap("s3", "AmazonS3", {
        "storage": Rule("TimedStorage-ByteHrs", ("GB-Mo",), (("volumeType", "Standard"),)),
        "put_requests": Rule("Requests-Tier1", _REQ),
        "get_requests": Rule("Requests-Tier2", _REQ),
    }),
    "glue": ServiceMap("glue", "AWSGlue", {
        "dpu_hours": Rule("ETL-DPU-Hour", ("DPU-Hour", "DPU-Hours"), (("group", "ETL Job run"),)),
    }),
    "cloudwatch_logs": ServiceMap("cloudwatch_logs", "AmazonCloudWatch", {
        "ingestion": Rule("DataProcessing-Bytes", ("GB",), (("productFamily", "Data Payload"),)),
        "storage": Rule("TimedStorage-ByteHrs", ("GB-Mo",), (("productFamily", "Storage Snapshot"),)),
    }),
    # AWSIoT: the reference could not verify which usagetypes are messaging and connectivity
    # (refresh_map.csv: NOT VERIFIED), so no rule guesses them; iot.yaml is read but nothing mapped.
    "iot": ServiceMap("iot", "AWSIoT", {}),
}


def mapped(key: str) -> bool:
    """Does `pricing refresh --source bulk` know where this price-book key is in the price list?"""
    service, _, name = key.partition(".")
    smap = BULK.get(service)
    return bool(smap and smap.rule(name))
