"""AWS Region codes from botocore's bundled endpoint data (offline): which region names exist at all,
for a scenario in a Region the price book does not cover (limits-check still runs there)."""
from __future__ import annotations

import json
import os
from functools import lru_cache


@lru_cache(maxsize=1)
def aws_regions() -> frozenset[str]:
    import botocore  # the package only, for its data folder: no client, no network

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(r for p in data.get("partitions", []) for r in (p.get("regions") or {}))
