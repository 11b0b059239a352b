"""Turning what an analyst has (NumPy, Arrow, pandas, Polars, lists) into NumPy arrays.

Every public measure goes through these helpers, so the rules are the same everywhere:

* values become a 1-D float64 array, without a copy when the input already is one;
* a missing or non-finite value is an error that says how many there are;
* weights must be finite, non-negative and add up to more than zero;
* group labels become integer codes in sorted label order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "as_vector",
    "as_weights",
    "as_labels",
    "as_columns",
    "Labels",
]


def _module_of(x: Any) -> str:
    return type(x).__module__.split(".", 1)[0]


def _raw_numpy(x: Any, name: str) -> np.ndarray:
    """Best-effort conversion to a NumPy array, nulls becoming NaN where the type allows."""
    if isinstance(x, np.ndarray):
        return x
    module = _module_of(x)
    if module == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(x, (pa.Array, pa.ChunkedArray)):
            if (
                pa.types.is_boolean(x.type)
                or pa.types.is_integer(x.type)
                or pa.types.is_floating(x.type)
                or pa.types.is_decimal(x.type)
            ):
                x = pc.cast(x, pa.float64())
            if isinstance(x, pa.ChunkedArray):
                return np.asarray(x.to_numpy())
            return np.asarray(x.to_numpy(zero_copy_only=False))
    if module == "pandas":
        try:
            return x.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            return x.to_numpy()
    if module == "polars":
        import polars as pl

        if x.dtype.is_numeric() or x.dtype == pl.Boolean:
            x = x.cast(pl.Float64)
        return np.asarray(x.to_numpy())
    if hasattr(x, "__array__") or isinstance(x, (list, tuple, range)):
        return np.asarray(x)
    raise TypeError(f"{name}: cannot read values from {type(x).__name__}")


def as_vector(x: Any, name: str = "y", *, allow_missing: bool = False) -> np.ndarray:
    """Return ``x`` as a 1-D float64 NumPy array.

    Accepts NumPy arrays, Arrow arrays and chunked arrays, pandas and Polars series, lists and
    tuples. A null or NaN (or an infinite value) is an error that gives the count, unless
    ``allow_missing`` (then nulls come back as NaN and infinities are still rejected).

    >>> as_vector([1, 2, 3])
    array([1., 2., 3.])
    """
    if x is None:
        raise TypeError(f"{name}: no values given")
    arr = _raw_numpy(x, name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(
            f"{name}: expected one value per unit (a 1-D array), got shape {arr.shape}"
        )
    if arr.dtype != np.float64:
        if arr.dtype == object:
            arr = np.array([np.nan if v is None else v for v in arr], dtype=np.float64)
        else:
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{name}: values must be numeric ({exc})") from None
    finite = np.isfinite(arr)
    if not finite.all():
        missing = int(np.isnan(arr).sum())
        infinite = int(arr.size - finite.sum()) - missing
        if infinite:
            raise ValueError(f"{name}: {infinite} infinite value(s)")
        if not allow_missing:
            raise ValueError(
                f"{name}: {missing} missing value(s) (null or NaN); drop or impute them first"
            )
    return arr


def as_weights(w: Any, n: int, name: str = "weights") -> np.ndarray | None:
    """Return sampling weights as a float64 array of length ``n`` (``None`` stays ``None``).

    Weights must be finite and non-negative with a positive total.

    >>> as_weights([1, 2], 2)
    array([1., 2.])
    """
    if w is None:
        if n == 0:
            raise ValueError("no units: the population is empty")
        return None
    arr = as_vector(w, name)
    if arr.size != n:
        raise ValueError(f"{name}: {arr.size} weights for {n} units")
    if arr.size and arr.min() < 0:
        negative = int(np.count_nonzero(arr < 0))
        raise ValueError(f"{name}: {negative} negative weight(s)")
    if not arr.sum() > 0:
        raise ValueError(f"{name}: the weights add up to zero")
    return arr


def check_length(arr: np.ndarray, n: int, name: str) -> None:
    if arr.size != n:
        raise ValueError(f"{name}: {arr.size} values for {n} units")


def line_array(z: Any, n: int, name: str = "z") -> float | np.ndarray:
    """A poverty line: a positive scalar, or one positive line per unit."""
    if np.ndim(z) == 0 and _module_of(z) not in ("pandas", "polars", "pyarrow"):
        zf = float(z)
        if not np.isfinite(zf) or zf <= 0:
            raise ValueError(f"{name}: the poverty line must be a positive number, got {z!r}")
        return zf
    arr = as_vector(z, name)
    check_length(arr, n, name)
    bad = int((arr <= 0).sum())
    if bad:
        raise ValueError(f"{name}: {bad} poverty line(s) are not positive")
    return arr


@dataclass(frozen=True)
class Labels:
    """Group labels as integer codes: ``labels[codes[i]]`` is unit i's group."""

    codes: np.ndarray
    labels: tuple


def as_labels(g: Any, n: int, name: str = "groups") -> Labels:
    """Factorise group labels (sorted); a missing label is an error with a count.

    >>> as_labels(["b", "a", "b"], 3)
    Labels(codes=array([1, 0, 1]), labels=('a', 'b'))
    """
    import pandas as pd

    module = _module_of(g)
    if module in ("pyarrow", "polars"):
        g = g.to_pandas()
    elif module != "pandas":
        g = np.asarray(g)
        if g.ndim != 1:
            raise ValueError(f"{name}: expected one label per unit, got shape {g.shape}")
    codes, uniques = pd.factorize(g, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size != n:
        raise ValueError(f"{name}: {codes.size} labels for {n} units")
    missing = int((codes < 0).sum())
    if missing:
        raise ValueError(f"{name}: {missing} missing group label(s)")
    labels = tuple(v.item() if hasattr(v, "item") else v for v in np.asarray(uniques))
    return Labels(codes=codes, labels=labels)


def as_label_array(x: Any, name: str) -> np.ndarray:
    """Labels (any type) as a 1-D NumPy array, from any of the accepted input types.

    >>> as_label_array(["a", "b"], "states").tolist()
    ['a', 'b']
    """
    module = _module_of(x)
    if module == "pyarrow":
        arr = np.asarray(x.to_numpy(zero_copy_only=False))
    elif module in ("pandas", "polars"):
        arr = np.asarray(x.to_numpy())
    else:
        arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected one label per unit, got shape {arr.shape}")
    return arr


def as_columns(
    data: Any, names: Sequence[str] | None = None, name: str = "indicators"
) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """Split a table into named float64 columns (nulls become NaN).

    Accepts a mapping of name to array, a pandas or Polars DataFrame, an Arrow table or a 2-D
    NumPy array (columns are then named by ``names`` or ``x1, x2, ...``).

    >>> as_columns({"a": [1, 0], "b": [0, 1]})[0]
    ('a', 'b')
    """
    module = _module_of(data)
    cols: list[tuple[str, Any]]
    from_array = False
    if isinstance(data, Mapping):
        cols = [(str(k), v) for k, v in data.items()]
    elif module == "pandas":
        cols = [(str(c), data[c]) for c in data.columns]
    elif module == "polars":
        cols = [(str(c), data.get_column(c)) for c in data.columns]
    elif module == "pyarrow" and hasattr(data, "column_names"):
        cols = [(str(c), data.column(c)) for c in data.column_names]
    else:
        arr = np.asarray(data)
        if arr.ndim != 2:
            raise ValueError(f"{name}: expected a table or a 2-D array, got shape {arr.shape}")
        labels = list(names) if names is not None else [f"x{j + 1}" for j in range(arr.shape[1])]
        if len(labels) != arr.shape[1]:
            raise ValueError(f"{name}: {len(labels)} names for {arr.shape[1]} columns")
        cols = [(labels[j], arr[:, j]) for j in range(arr.shape[1])]
        from_array = True
    if names is not None and not from_array:
        wanted = list(names)
        lookup = dict(cols)
        unknown = [c for c in wanted if c not in lookup]
        if unknown:
            raise KeyError(f"{name}: no column(s) {unknown}")
        cols = [(c, lookup[c]) for c in wanted]
    if not cols:
        raise ValueError(f"{name}: no columns")
    out_names = tuple(c for c, _ in cols)
    if len(set(out_names)) != len(out_names):
        raise ValueError(f"{name}: duplicate column names")
    arrays = [as_vector(v, f"{name}[{c!r}]", allow_missing=True) for c, v in cols]
    n = arrays[0].size
    for c, a in zip(out_names, arrays, strict=False):
        if a.size != n:
            raise ValueError(f"{name}: column {c!r} has {a.size} rows, expected {n}")
    return out_names, arrays


def as_matrix(data: Any, name: str = "panel") -> np.ndarray:
    """A units x periods table as a 2-D float64 array (nulls become NaN)."""
    if isinstance(data, np.ndarray) and data.ndim == 2:
        return data.astype(np.float64, copy=False)
    module = _module_of(data)
    if isinstance(data, Mapping) or module in ("pandas", "polars", "pyarrow"):
        _, cols = as_columns(data, name=name)
        return np.column_stack(cols)
    arr = np.asarray(data, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name}: expected a units x periods table, got shape {arr.shape}")
    return arr


def wdot(a: np.ndarray, b: np.ndarray) -> float:
    """sum_i a_i b_i for 1-D arrays (b may be boolean).

    Uses einsum rather than BLAS: some OpenBLAS builds pay milliseconds of thread start-up
    per call, and einsum reads a boolean mask without converting it to float first.

    >>> wdot(np.array([1.0, 2.0]), np.array([True, True]))
    3.0
    """
    return float(np.einsum("i,i->", a, b))


def weighted_total(values: np.ndarray, w: np.ndarray | None) -> float:
    """sum_i w_i v_i (or sum_i v_i when unweighted)."""
    if w is None:
        return float(values.sum())
    return wdot(w, values)


def population(w: np.ndarray | None, n: int) -> float:
    return float(n) if w is None else float(w.sum())


def as_native_vector(x: Any, name: str) -> np.ndarray:
    """A 1-D numeric array in its own dtype (bool, integer or float), nulls as NaN (float).

    Avoids widening compact columns (bool, int8) to float64 when they have no nulls.

    >>> as_native_vector([True, False], "d").dtype
    dtype('bool')
    """
    module = _module_of(x)
    arr: np.ndarray
    if isinstance(x, np.ndarray):
        arr = x
    elif module == "pandas":
        if isinstance(x.dtype, np.dtype) and x.dtype.kind in "biuf":
            arr = x.to_numpy()
        else:
            arr = x.to_numpy(dtype=np.float64, na_value=np.nan)
    elif module == "polars":
        arr = np.asarray(x.to_numpy()) if x.null_count() == 0 else _raw_numpy(x, name)
    elif module == "pyarrow":
        arr = (
            np.asarray(x.to_numpy(zero_copy_only=False))
            if x.null_count == 0
            else _raw_numpy(x, name)
        )
    else:
        arr = np.asarray(x)
    if arr.dtype == object:
        arr = np.array([np.nan if v is None else v for v in arr], dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected one value per unit, got shape {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: values must be numeric or boolean, got {arr.dtype}")
    if arr.dtype.kind == "f" and np.isinf(arr).any():
        raise ValueError(f"{name}: {int(np.isinf(arr).sum())} infinite value(s)")
    return arr


def table_column(data: Any, column: str) -> Any:
    """One column of a table-like object (mapping, pandas, Polars, Arrow)."""
    if isinstance(data, Mapping):
        return data[column]
    module = _module_of(data)
    if module == "polars":
        return data.get_column(column)
    if module == "pyarrow":
        return data.column(column)
    return data[column]


def table_names(data: Any) -> list[str] | None:
    """Column names of a table-like object, or None for an array."""
    if isinstance(data, Mapping):
        return [str(k) for k in data.keys()]
    module = _module_of(data)
    if module in ("pandas", "polars"):
        return [str(c) for c in data.columns]
    if module == "pyarrow" and hasattr(data, "column_names"):
        return list(data.column_names)
    return None
