"""Independent, deliberately naive implementations used as oracles in the tests.

They work on unweighted data (callers repeat rows to apply integer weights) and follow the
textbook definitions directly, with Python loops, so they share no code with the library.
"""

from __future__ import annotations

import math


def replicate(values, weights):
    out = []
    for v, w in zip(values, weights, strict=False):
        out.extend([v] * int(w))
    return out


def mean(y):
    return math.fsum(y) / len(y)


def gini_mad(y):
    """Gini as the mean absolute difference over all ordered pairs / (2 mu)."""
    n = len(y)
    total = math.fsum(abs(a - b) for a in y for b in y)
    return total / (n * n) / (2 * mean(y))


def theil_t(y):
    mu = mean(y)
    return math.fsum((v / mu) * math.log(v / mu) for v in y if v > 0) / len(y)


def theil_l(y):
    mu = mean(y)
    return -math.fsum(math.log(v / mu) for v in y) / len(y)


def ge(y, a):
    mu = mean(y)
    return (math.fsum((v / mu) ** a for v in y) / len(y) - 1) / (a * (a - 1))


def atkinson(y, e):
    mu = mean(y)
    n = len(y)
    if e == 1:
        return 1 - math.exp(math.fsum(math.log(v) for v in y) / n) / mu
    return 1 - (math.fsum((v / mu) ** (1 - e) for v in y) / n) ** (1 / (1 - e))


def fgt(y, z, a):
    return math.fsum(((z - v) / z) ** a for v in y if v < z) / len(y)


def watts(y, z):
    return math.fsum(math.log(z / v) for v in y if v < z) / len(y)


def lorenz(values, weights, p):
    """Share of the total held by the poorest fraction p, splitting the straddling unit."""
    pairs = sorted(zip(values, weights, strict=False))
    n_pop = math.fsum(w for _, w in pairs)
    total = math.fsum(v * w for v, w in pairs)
    budget = p * n_pop
    held = 0.0
    for v, w in pairs:
        take = min(w, max(0.0, budget))
        held += v * take
        budget -= take
    return held / total


def eurostat_quantile(y, p):
    """Unweighted Eurostat rule: np integer -> mean of x_(np) and x_(np+1), else x_(ceil np)."""
    x = sorted(y)
    n = len(x)
    if p <= 0:
        return x[0]
    if p >= 1:
        return x[-1]
    j = p * n
    if abs(j - round(j)) < 1e-9:
        j = int(round(j))
        return (x[j - 1] + x[j]) / 2 if j < n else x[-1]
    return x[math.ceil(j) - 1]
