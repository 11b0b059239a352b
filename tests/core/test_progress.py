"""Progress on the command line: silent unless a command turns it on; plain lines in a log."""

import io

from dixian.core import progress


def test_tracking_is_silent_without_a_command(capsys):
    assert list(progress.track(range(3), "work")) == [0, 1, 2]
    assert capsys.readouterr().out == ""


def test_a_log_gets_a_line_per_task_with_its_count_and_time():
    out = io.StringIO()
    with progress.shown(out):
        assert sum(progress.track(range(5), "counting")) == 10
        with progress.task("one step", total=1) as done:
            done()
    lines = out.getvalue().splitlines()
    assert lines[0] == "counting …"
    assert lines[1].startswith("counting done 5/5 in ") and lines[1].endswith(" s")
    assert lines[3].startswith("one step done in ")


def test_a_background_job_receives_the_counts():
    seen = []
    with progress.reporting(lambda label, done, total: seen.append((label, done, total))):
        list(progress.track(["a", "b"], "rows"))
    assert seen == [("rows", 0, 2), ("rows", 1, 2), ("rows", 2, 2)]
