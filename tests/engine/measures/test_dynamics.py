"""Panel dynamics: transitions, spells, re-entry and its survival curve, Jalan-Ravallion."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm

PANEL = [
    [1, 0, 1, 0, 0],  # exits at t1, back at t2: re-entry after 1 period
    [1, 0, 0, 1, 1],  # exits at t1, back at t3: after 2 periods
    [1, 0, 0, 0, 0],  # exits at t1, never back: censored after 3 periods
    [0, 1, 1, 0, 0],  # exits at t3: censored after 1 period
    [0, 0, 0, 0, 1],  # enters at the end, never exits
    [1, 1, 1, 1, 0],  # exits in the last period: nothing observed afterwards
]


def test_spells_exits_and_re_entry_by_hand():
    d = dm.poverty_dynamics(PANEL)
    assert d.periods == 5 and d.n == 6
    assert (d.never_poor, d.transient, d.chronic) == (0.0, 1.0, 0.0)
    assert list(d.spells) == [2, 2, 1, 1, 1, 1]
    assert d.mean_spells == pytest.approx(8 / 6)
    assert d.exiters == pytest.approx(5 / 6)
    assert d.re_entrants == pytest.approx(2 / 6)
    assert d.re_entry_rate == pytest.approx(2 / 5)
    # first pair: poor at t0 = units 1, 2, 3, 6; exits = 1, 2, 3; non-poor = 4, 5; entries = 4
    assert d.exit_rates[0] == pytest.approx(3 / 4)
    assert d.entry_rates[0] == pytest.approx(1 / 2)
    assert d.transitions[0].states == ("non-poor", "poor")
    assert d.transitions[0].matrix[1] == pytest.approx((3 / 4, 1 / 4))
    # Kaplan-Meier: d=1: 4 at risk, 1 event; d=2: 2 at risk, 1 event; d=3: 1 at risk, 0 events
    km = [(p.duration, p.at_risk, p.events, p.survival) for p in d.time_to_re_entry]
    assert km == [(1, 4.0, 1.0, 0.75), (2, 2.0, 1.0, 0.375), (3, 1.0, 0.0, 0.375)]


def test_pooled_entry_and_exit_rates():
    d = dm.poverty_dynamics(PANEL)
    poor = np.array(PANEL, dtype=bool)
    exits = (poor[:, :-1] & ~poor[:, 1:]).sum()
    entries = (~poor[:, :-1] & poor[:, 1:]).sum()
    assert d.exit_rate == pytest.approx(exits / poor[:, :-1].sum())
    assert d.entry_rate == pytest.approx(entries / (~poor[:, :-1]).sum())


def test_welfare_panel_with_lines_per_period_and_attrition():
    welfare = pd.DataFrame({"2021": [5.0, 20.0, 8.0, np.nan], "2022": [12.0, 9.0, 8.0, 3.0]})
    d = dm.poverty_dynamics(welfare, z=[10, 10])
    assert d.n_dropped_attrition == 1 and d.n == 3
    assert d.chronic == pytest.approx(1 / 3)  # unit 3
    assert d.exit_rates == pytest.approx((1 / 2,))  # unit 1 exits, unit 3 stays poor
    assert d.entry_rates == pytest.approx((1.0,))  # unit 2 enters


@st.composite
def panels(draw):
    n = draw(st.integers(1, 12))
    t = draw(st.integers(2, 6))
    rows = draw(
        st.lists(st.lists(st.integers(0, 1), min_size=t, max_size=t), min_size=n, max_size=n)
    )
    w = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    return np.array(rows), w


@settings(deadline=None)
@given(panels())
def test_dynamics_are_replication_invariant(data):
    panel, w = data
    a = dm.poverty_dynamics(panel, weights=w)
    b = dm.poverty_dynamics(np.repeat(panel, w, axis=0))
    for name in ("never_poor", "transient", "chronic", "exiters", "re_entrants", "mean_spells"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-12)
    for x, y in zip(a.exit_rates + a.entry_rates, b.exit_rates + b.entry_rates, strict=False):
        assert x == pytest.approx(y, nan_ok=True)
    assert [p.survival for p in a.time_to_re_entry] == pytest.approx(
        [p.survival for p in b.time_to_re_entry]
    )
    assert a.never_poor + a.transient + a.chronic == pytest.approx(1.0)


def test_transition_matrix_with_labels_and_weights():
    m = dm.transition_matrix(
        ["poor", "poor", "near", "safe"],
        ["near", "poor", "near", "poor"],
        weights=[1, 3, 2, 2],
        states=["poor", "near", "safe"],
    )
    assert m.counts == ((3.0, 1.0, 0.0), (0.0, 2.0, 0.0), (2.0, 0.0, 0.0))
    assert m.matrix[0] == pytest.approx((0.75, 0.25, 0.0))
    assert m.row_totals == (4.0, 2.0, 2.0)
    assert list(m.to_pandas().columns) == ["poor", "near", "safe"]
    with pytest.raises(ValueError, match="not in states"):
        dm.transition_matrix(["x"], ["poor"], states=["poor"])


def test_jalan_ravallion_by_hand():
    # unit 1: (50, 150), mean 100 = z: transient only; unit 2: (50, 50): chronic only.
    panel = [[50, 150], [50, 50]]
    jr = dm.jalan_ravallion(panel, z=100, weights=[1, 3])
    p2_unit1 = (0.25 + 0) / 2
    p2_unit2 = 0.25
    assert jr.total == pytest.approx((1 * p2_unit1 + 3 * p2_unit2) / 4)
    assert jr.chronic == pytest.approx(3 * 0.25 / 4)
    assert jr.transient == pytest.approx(jr.total - jr.chronic)
    assert jr.chronic_share == pytest.approx(jr.chronic / jr.total)
    assert jr.transient >= 0  # P2 is convex: the mean of P2 >= P2 of the mean


def test_jalan_ravallion_drops_incomplete_units():
    jr = dm.jalan_ravallion([[50, np.nan], [50, 50]], z=100)
    assert jr.n_dropped_attrition == 1
    assert jr.total == pytest.approx(0.25)


def test_transition_matrix_accepts_arrow_polars_and_pandas_labels():
    import polars as pl
    import pyarrow as pa

    expected = dm.transition_matrix(["a", "b", "b"], ["b", "b", "a"]).matrix
    for origin, dest in (
        (pa.array(["a", "b", "b"]), pa.chunked_array([["b"], ["b", "a"]])),
        (pl.Series(["a", "b", "b"]), pd.Series(["b", "b", "a"])),
    ):
        assert dm.transition_matrix(origin, dest).matrix == expected
