"""tools/bench.py: the budget checks and the appendix it writes, on made-up measurements."""

from __future__ import annotations

from tools.bench import appendix, checks

GIB = 2**30


def _anchor(b64_seconds=15.0, b256_reached=False, fast_reached=False, tf_data=2.1):
    def run(batch, rate, seconds, reached, epochs):
        return dict(batch=batch, rate=rate, pipeline="tf.data", epochs=epochs,
                    seconds=seconds, val_mse=0.0088 if reached else 0.0094, reached=reached)

    return {"reference": dict(run(32, 1e-3, 20.0, True, 10), pipeline="NumPy arrays"),
            "batch 64": run(64, 1e-3, b64_seconds, True, 12),
            "batch 256": run(256, 1e-3, 22.0, b256_reached, 20),
            "batch 256, rate x3": run(256, 3e-3, 17.0, fast_reached, 15),
            "pipeline check": dict(batch=32, seconds_per_epoch_tf_data=tf_data,
                                   seconds_per_epoch_arrays=2.0)}


def _failed(chapters, anchor):
    return [statement for statement, ok in checks(chapters, (30.0, 1.0), anchor) if not ok]


def test_all_checks_hold_on_measurements_within_budget():
    chapters = {"01.ipynb": (40.0, 1.5 * GIB), "02.ipynb": (80.0, 1.9 * GIB)}
    assert _failed(chapters, _anchor()) == []


def test_each_budget_and_each_chapter_3_finding_can_fail():
    ok = {"01.ipynb": (40.0, 1.5 * GIB)}
    assert _failed({"01.ipynb": (95.0, 1.5 * GIB)}, _anchor()) == [
        "every chapter runs in at most 90 s"]
    assert _failed({"01.ipynb": (40.0, 2.1 * GIB)}, _anchor()) == [
        "every chapter's peak memory is under 2 GiB"]
    eleven = {f"{i:02}.ipynb": (60.0, GIB) for i in range(11)}
    assert _failed(eleven, _anchor()) == ["the whole book runs in under 10 minutes"]
    assert _failed(ok, _anchor(b64_seconds=25.0)) == [
        "chapter 3: batch 64 reaches the reference's error in less time"]
    assert _failed(ok, _anchor(fast_reached=True)) == [
        "chapter 3: a 3x rate at batch 256 stalls above the reference's error"]
    assert _failed(ok, _anchor(tf_data=1.0)) == [
        "chapter 3: tf.data is no faster than NumPy arrays at batch 32"]


def test_appendix_reports_every_chapter_the_builds_the_ratios_and_the_checks():
    chapters = {"01_basic_ideas.ipynb": (22.25, 1.65 * GIB)}
    anchor = _anchor()
    text = appendix(chapters, (34.2, 1.1), anchor, checks(chapters, (34.2, 1.1), anchor),
                    "2026-11-25", "a test machine")
    assert "| 01_basic_ideas | 22.2 s | 1.65 GiB |" in text
    assert "| **all chapters** | **22.2 s** |" in text
    assert "34.2 s" in text and "1.1 s" in text
    assert "| batch 64 | 64 | 0.001 | tf.data | 12 | 0.00880 | yes | 15.0 s | 0.75 |" in text
    assert "no, after 20 epochs" in text
    assert "**fails**" not in text and text.count("| holds |") == 7
