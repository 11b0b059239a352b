"""Progress of long work on the command line: a bar per step with its elapsed time.

Long loops call :func:`track` (or :func:`task`); nothing is shown unless a command has
turned progress on with :func:`shown`, so the same code runs silently in tests, in the web
process and in background jobs. A background job passes its own ``report`` callback instead
(see :func:`reporting`), which receives (label, done, total).

    with progress.shown():
        for day in progress.track(days, "simulating days"):
            ...
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

_progress = contextvars.ContextVar("dixian_progress", default=None)
_report = contextvars.ContextVar("dixian_progress_report", default=None)


@contextmanager
def shown(stream=None):
    """Show bars (rich) for the work done inside; ``stream`` defaults to stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream, stderr=stream is None, highlight=False)
    if not console.is_terminal:  # a log file or a pipe: one line when each task ends
        token = _progress.set(_Lines(console))
        try:
            yield _progress.get()
        finally:
            _progress.reset(token)
        return
    bars = Progress(TextColumn("{task.description:<44}"), BarColumn(bar_width=30),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                    transient=False, refresh_per_second=4)
    token = _progress.set(bars)
    try:
        with bars:
            yield bars
    finally:
        _progress.reset(token)


@contextmanager
def reporting(report: Callable[[str, int, int | None], None]):
    """Send progress to ``report(label, done, total)`` (a background job's record)."""
    token = _report.set(report)
    try:
        yield
    finally:
        _report.reset(token)


@contextmanager
def task(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A unit of work with ``total`` steps; yields ``advance(n=1)``."""
    bars, report = _progress.get(), _report.get()
    done = 0
    task_id = bars.add_task(label, total=total) if bars is not None else None

    def advance(n: int = 1) -> None:
        nonlocal done
        done += n
        if bars is not None:
            bars.advance(task_id, n)
        if report is not None:
            report(label, done, total)

    if report is not None:
        report(label, 0, total)
    yield advance
    if bars is not None and total is None:
        bars.update(task_id, total=max(done, 1), completed=max(done, 1))


def track(items: Iterable, label: str, total: int | None = None) -> Iterator:
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    with task(label, total) as advance:
        for item in items:
            yield item
            advance()


def console_print(text: str) -> None:
    """A line above the bars when they are shown, else on stdout."""
    bars = _progress.get()
    if bars is not None:
        bars.console.print(text, markup=False)
    else:
        print(text, flush=True)


class _Lines:
    """Progress as plain lines (no terminal): the task's label, then its count and time."""

    def __init__(self, console):
        self.console = console
        self.tasks: dict[int, list] = {}

    def add_task(self, label, total=None):
        self.tasks[len(self.tasks)] = [label, total, 0, time.monotonic()]
        self.console.print(f"{label} …", markup=False)
        self.console.file.flush()
        return len(self.tasks) - 1

    def advance(self, task_id, n=1):
        entry = self.tasks[task_id]
        entry[2] += n
        if entry[1] is not None and entry[2] >= entry[1]:
            self._done(entry)

    def update(self, task_id, total=None, completed=None):
        entry = self.tasks[task_id]
        entry[1], entry[2] = total, completed
        self._done(entry)

    def _done(self, entry):
        label, total, done, started = entry
        count = f" {done:,}/{total:,}" if total and total > 1 else ""
        self.console.print(f"{label} done{count} in {time.monotonic() - started:.1f} s",
                           markup=False)
        self.console.file.flush()


class Stopwatch:
    def __init__(self):
        self.start = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start
