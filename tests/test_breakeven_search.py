"""The break-even search on known functions: where it lands, that the bracket holds, how many prices
it takes, and what it says when there is no crossing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from costplan.compute.compare import LIMIT, bracket, refine


class Counted:
    """f(k) as Decimal, memoised as find_breakeven's is, counting distinct prices."""

    def __init__(self, fn):
        self.fn, self.seen = fn, {}

    @property
    def calls(self) -> int:
        return len(self.seen)

    def __call__(self, k: Decimal) -> Decimal:
        if k not in self.seen:
            self.seen[k] = Decimal(repr(self.fn(float(k))))
        return self.seen[k]


def search(fn):
    f = Counted(fn)
    found = bracket(f, f(Decimal(1)))
    if isinstance(found, str):
        return found, f.calls
    lo, hi = refine(f, *found)
    return (lo, hi), f.calls


def lambda_minus_ecs(root: float, slope: float = 3.0):
    # Lambda = slope·k, ECS = slope·root flat (min tasks): they meet at k = root
    return lambda k: slope * k - slope * root


@pytest.mark.parametrize("root", [1.7, 3.0, 96.0, 20_500.0, 0.62, 0.039, 1e-4])
def test_linear_crossing_is_bracketed_to_a_tenth_of_a_percent(root):
    (lo, hi), calls = search(lambda_minus_ecs(root))
    assert lo < Decimal(repr(root)) <= hi
    assert hi / lo < Decimal("1.001")
    # f(1), a few aimed steps, a straddle: far fewer than doubling and bisecting (~20)
    assert calls <= 8, calls


def test_where_an_ecs_step_makes_the_lines_cross_twice_a_true_crossing_is_found():
    # Lambda $10·k; ECS $50 below k = 5.8 and $70 from there: Lambda meets ECS at k = 5, ECS steps
    # above Lambda again at 5.8, and Lambda meets it for good at k = 7.
    def f(k):
        return 10.0 * k - (50.0 if k < 5.8 else 70.0)

    (lo, hi), calls = search(f)
    assert hi / lo < Decimal("1.001")
    assert (lo < 5 <= hi) or (lo < 7 <= hi)
    assert f(float(lo)) < 0 <= f(float(hi))
    assert calls <= 12, calls


def test_a_crossing_on_a_kink_still_converges():
    # Lambda − ECS bends sharply at the crossing (free tier used up right there): not linear at all
    def f(k):  # flat approach from below, steep climb after
        return 0.01 * (k - 3) if k < 3 else 500.0 * (k - 3)

    def g(k):  # steep approach, flat after
        return 900.0 * (k - 4) if k < 4 else 0.001 * (k - 4)

    for fn, root in ((f, 3.0), (g, 4.0)):
        (lo, hi), calls = search(fn)
        assert lo < Decimal(repr(root)) <= hi
        assert hi / lo < Decimal("1.001")
        assert calls <= 25, calls


def test_downward_search_when_ecs_is_already_cheaper():
    (lo, hi), _ = search(lambda_minus_ecs(0.25))
    assert lo < Decimal("0.25") <= hi


def test_no_crossing_within_a_million_times_says_so():
    msg, calls = search(lambda k: -1.0 - 0.0 * k)  # Lambda always cheaper
    assert msg == "ECS does not become cheaper below a million times today's volume"
    assert calls < 20  # it gives up at LIMIT, in capped steps
    msg, _ = search(lambda k: 1.0)  # ECS always cheaper
    assert msg == "ECS is cheaper at every volume tried"


def test_crossing_just_inside_the_limit_is_found():
    root = float(LIMIT) * 0.99
    (lo, hi), _ = search(lambda_minus_ecs(root))
    assert lo < Decimal(repr(root)) <= hi
