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


def test_a_usage_key_given_twice_with_two_values_is_refused_not_one_silently_picked(cli):
    code, _, err = cli("price", "lambda", "monthly_requests=1M", "monthly_requests=2M")
    assert (code, err) == (2, "error: monthly_requests: given twice ('1M' and '2M'); give it once\n")
    assert cli("price", "lambda", "monthly_requests=1M", "monthly_requests=1M")[0] == 0


def test_a_quota_overridden_twice_with_two_values_is_refused(cli):
    code, _, err = cli("limits-check", GOOD, "--quota", "lambda.concurrent_executions=10",
                       "--quota", "lambda.concurrent_executions=5000")
    assert (code, err) == (2, "error: --quota: lambda.concurrent_executions: given twice (10 and 5,000); give it once\n")


@pytest.mark.parametrize("args,flag", [
    (["scenario", "new", "sync_api", "--schema", "x.json\nname: injected"], "--schema"),
    (["scenario", "new", "sync_api", "--schema", "x\u202e.json"], "--schema"),
    (["scenario", "from-cloudwatch", "--function", "orders", "--account", "prod\nname: x"], "--account"),
    (["scenario", "from-cloudwatch", "--function", "orders\x1b[2J"], "--function"),
])
def test_a_text_option_written_into_a_file_must_be_one_plain_line(cli, args, flag):
    """`scenario new --schema 'x.json<newline>name: injected'` wrote a second `name:` line into the starter."""
    code, out, err = cli(*args)
    assert code == 2 and out == "" and err.startswith(f"error: {flag}: must be one line of plain text; it holds U+")
