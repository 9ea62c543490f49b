"""One pure module per AWS service: usage → cost components. Modules are imported on first use."""
from __future__ import annotations

import importlib
from types import ModuleType

from costplan.errors import CostplanError, Problem, suggest

# service name (as typed in `costplan price SERVICE`) → module
REGISTRY: dict[str, str] = {
    "lambda": "costplan.services.lambda_",
    "fargate": "costplan.services.fargate",
    "ec2": "costplan.services.ec2",
    "alb": "costplan.services.alb",
    "nat_gateway": "costplan.services.nat_gateway",
    "public_ipv4": "costplan.services.public_ipv4",
    "ebs": "costplan.services.ebs",
    "data_transfer": "costplan.services.data_transfer",
    "apigateway_http": "costplan.services.apigateway_http",
    "apigateway_rest": "costplan.services.apigateway_rest",
    "apigateway_websocket": "costplan.services.apigateway_websocket",
    "sqs": "costplan.services.sqs",
    "sns": "costplan.services.sns",
    "eventbridge": "costplan.services.eventbridge",
    "stepfunctions": "costplan.services.stepfunctions",
    "dynamodb": "costplan.services.dynamodb",
    "s3": "costplan.services.s3",
    "iot": "costplan.services.iot",
    "glue": "costplan.services.glue",
    "cloudwatch_logs": "costplan.services.cloudwatch_logs",
}


_LOADED: dict[str, ModuleType] = {}


def get(name: str) -> ModuleType:
    mod = _LOADED.get(name)  # priced thousands of times a run: import_module's lookup once per service
    if mod is not None:
        return mod
    if name not in REGISTRY:
        raise CostplanError(Problem(f"unknown service {name!r}{suggest(name, sorted(REGISTRY), 'known:')}",
                                    field="service"))
    mod = _LOADED[name] = importlib.import_module(REGISTRY[name])
    return mod


def price(name: str, raw_usage: dict, book, free_tier: bool = True, resource: str = "", where=None):
    """Validate usage for a service, build its components and price them: the `costplan price` path."""
    from costplan.pricing.bill import price_components
    from costplan.services.base import parse_usage

    mod = get(name)
    usage = parse_usage(name, mod.USAGE, raw_usage, where)
    return price_components(mod.components(usage, resource=resource), book, free_tier=free_tier)
