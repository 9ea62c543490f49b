"""Hostile command lines: option values that are not numbers (NaN, infinities, overflowing exponents),
each refused with one line naming the option and exit 2, never an internal error."""
from __future__ import annotations

import pytest

from conftest import SCENARIOS

GOOD = str(SCENARIOS / "global_vote.yaml")


@pytest.mark.parametrize("vary", ["monthly_requests=nanx..4x", "monthly_requests=1x..infx",
                                  "monthly_requests=1e400x..1e401x", "duration_ms=-infx..2x",
                                  "memory_mb=1x..NaNx", "duration_ms=snanx..1x"])
@pytest.mark.parametrize("command", ["sensitivity", "compare"])
def test_a_vary_factor_that_is_not_a_finite_number_is_one_line_on_vary(cli, command, vary):
    code, _, err = cli(command, GOOD, "--vary", vary)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: --vary: bad range "), err
