"""tools/bench.py: the budget checks and the appendix it writes, on made-up measurements."""

from __future__ import annotations

import pytest

from tools.anchor import RECIPE, candidates, judged, verdict
from tools.bench import (SITE_END, SITE_START, appendix, checks, replace_site_section,
                         site_checks, site_section)

GIB = 2**30


def _anchor(recipe_seconds=6.0, spe_drift=0.0, batch_128_seconds=9.0):
    losses = [0.0132, 0.0106, 0.0097, 0.0093, 0.0091, 0.0090, 0.0089, 0.00888, 0.00884,
              0.00881]
    names = [name for name, *_ in candidates()]
    seconds = dict(zip(names, [20.0, 12.0, 11.0, 10.0] + [8.0] * len(names)))
    seconds.update({RECIPE: recipe_seconds, "recipe, batch 128": batch_128_seconds})
    runs = {}
    for index, (name, settings, role, reason) in enumerate(candidates()):
        drift = spe_drift if index == 1 else 0.0
        runs[name] = dict(batch=settings["batch"], steps_per_execution=settings["steps"],
                          rate=settings.get("rate", 1e-3), epochs=10,
                          seconds=seconds[name], cpu_seconds=seconds[name] * 1.5,
                          val_mse=0.0088, reached=name != "recipe, batch 64, rate x1.4",
                          val_losses=[v * (1 + drift) for v in losses], role=role,
                          reason=reason)
    return judged(runs)


def test_each_verdict_follows_the_measurements_beyond_the_noise_margin():
    def run(seconds, reached=True):
        return dict(seconds=seconds, reached=reached, epochs=20)

    recipe = run(10.0)
    assert verdict("speed", "r", run(7.0), run(9.0), recipe) == (
        True, "r; faster (9.0 s before, 7.0 s with it)")
    # Within 15 % either way is no clear difference: the change stays.
    assert verdict("speed", "r", run(9.5), run(9.0), recipe) == (
        True, "r; no clear difference (within 15%) (9.0 s before, 9.5 s with it)")
    assert verdict("speed", "r", run(11.0), run(9.0), recipe)[0] is False
    # Kept for memory either way, but the text says which way the time went.
    assert verdict("memory", "m", run(12.0), run(9.0), recipe) == (
        True, "m; kept for memory, slower here (9.0 s before, 12.0 s with it)")
    assert verdict("alternative", "a", run(12.0), None, recipe) == (
        False, "a: slower (12.0 s against the recipe's 10.0 s)")
    assert verdict("alternative", "a", run(9.0), None, recipe)[0] is False  # within noise
    assert verdict("alternative", "a", run(8.0), None, recipe)[0] is True
    assert verdict("alternative", "a", run(5.0, reached=False), None, recipe) == (
        False, "a: did not reach the error in 20 epochs")
    assert verdict("reference", "", run(50.0), None, recipe) == (None, "")


def test_the_appendix_says_how_the_tensor_pipeline_and_the_alternatives_did():
    chapters = {"01_basic_ideas.ipynb": (22.25, 1.65 * GIB)}
    anchor = _anchor()  # the pipeline row: 10.0 s after 11.0 s
    text = appendix(chapters, (34.2, 1.1), anchor, _onednn(), checks(chapters, anchor, 700.0),
                    700.0, "2026-11-25", "a test machine")
    assert ("Its effect on time in this race: no clear difference (within 15%) (11.0 s "
            "before it, 10.0 s with it).") in text
    assert "None of the alternatives tried against the recipe beat it here." in text
    slow = _anchor()
    slow["recipe, batch 128"].update(seconds=5.0)
    slow = judged(slow)
    text = appendix(chapters, (34.2, 1.1), slow, _onednn(), checks(chapters, slow, 700.0),
                    700.0, "2026-11-25", "a test machine")
    assert "| **beats the recipe** |" in text
    assert "so the recipe should change: recipe, batch 128." in text


def _onednn():
    anchor = _anchor()
    names = list(anchor)
    return {names[0]: anchor[names[0]], RECIPE: anchor[RECIPE]}


def _failed(chapters, anchor, test_seconds=None):
    return [statement for statement, ok in checks(chapters, anchor, test_seconds) if not ok]


def test_all_checks_hold_on_measurements_within_budget():
    chapters = {"01.ipynb": (40.0, 1.5 * GIB), "02.ipynb": (59.0, 1.8 * GIB),
                "03.ipynb": (30.0, GIB)}
    assert _failed(chapters, _anchor(), test_seconds=800.0) == []


def test_each_budget_and_the_speed_goal_can_fail():
    ok = {"01.ipynb": (40.0, 1.5 * GIB)}
    assert _failed({"01.ipynb": (61.0, 1.5 * GIB)}, _anchor()) == [
        "every chapter runs in at most 60 s", "the median chapter runs in at most 45 s"]
    assert _failed({"01.ipynb": (40.0, 1.81 * GIB)}, _anchor()) == [
        "every chapter's peak memory is at most 1.8 GiB"]
    eleven = {f"{i:02}.ipynb": (44.0, GIB) for i in range(11)}
    assert _failed(eleven, _anchor()) == ["the whole book runs in under 8 minutes"]
    assert _failed(ok, _anchor(spe_drift=1e-3)) == [
        "many steps per call leave the validation losses unchanged, epoch by epoch"]
    assert _failed(ok, _anchor(recipe_seconds=7.0)) == [
        "the recipe reaches the tutorial's validation error in at most a third of its time"]
    assert _failed(ok, _anchor(batch_128_seconds=5.0)) == [
        "chapter 3: batch 128 is slower to that error than batch 64"]
    assert _failed(ok, _anchor(), test_seconds=901.0) == [
        "make test runs in under 15 minutes"]


def test_appendix_reports_every_chapter_the_builds_the_ratios_and_the_checks():
    chapters = {"01_basic_ideas.ipynb": (22.25, 1.65 * GIB)}
    anchor = _anchor()
    results = checks(chapters, anchor, 700.0)
    text = appendix(chapters, (34.2, 1.1), anchor, _onednn(), results, 700.0,
                    "2026-11-25", "a test machine")
    assert "| 01_basic_ideas | 22.2 s | 1.65 GiB |" in text
    assert "| **all chapters** | **22.2 s** |" in text
    assert "34.2 s" in text and "1.1 s" in text and "11.7 minutes" in text
    assert f"| {RECIPE} | 10 | 0.00880 | yes | 6.0 s | 9.0 s | 0.30 | kept |" in text
    assert "no, after 10 epochs" in text and "| not kept |" in text
    assert "reached the tutorial's error in\n30% of its time" in text
    assert "a ratio of\n0.30" in text
    assert "**fails**" not in text and text.count("| holds |") == len(results) == 8


def test_reused_run_times_come_from_the_record_and_a_missing_chapter_is_named(tmp_path,
                                                                              monkeypatch):
    import json
    import pathlib

    import pytest

    from tools import chapter_times
    from tools.bench import recorded_chapters

    record = tmp_path / "run_times.json"
    record.write_text(json.dumps({"01_a.ipynb": {"seconds": 41.5, "peak_gib": 1.5}}))
    monkeypatch.setattr(chapter_times, "RUN_TIMES", record)
    assert recorded_chapters([pathlib.Path("book/01_a.ipynb")]) == {
        "01_a.ipynb": (41.5, 1.5 * GIB)}
    with pytest.raises(SystemExit, match="no run time recorded for 02_b.ipynb"):
        recorded_chapters([pathlib.Path("book/01_a.ipynb"), pathlib.Path("book/02_b.ipynb")])


def _site(chapter_mb=1.2, performance=95):
    def page(mb, perf):
        # mb: what the page transfers as served (gzip); uncompressed it is three times that.
        weights = {"first_view": 300_000, "bytes": int(mb * 1e6), "requests": 30}
        return {"gzip": weights, "raw": dict(weights, bytes=int(3 * mb * 1e6)),
                "scores": {"performance": perf, "accessibility": 100, "best-practices": 100},
                "timings": {}}

    return {"book/01_basic_ideas.html": page(chapter_mb, performance),
            "book/api.html": page(2.0, 50)}  # back matter: no budget


def test_site_checks_hold_within_budget_and_each_can_fail():
    assert all(ok for _, ok in site_checks(_site()))
    assert [s for s, ok in site_checks(_site(chapter_mb=1.6)) if not ok] == [
        "every chapter's page transfers at most 1.5 MB, every figure loaded"]
    assert [s for s, ok in site_checks(_site(performance=89)) if not ok] == [
        "every chapter's page scores at least 90 for performance (Lighthouse, mobile)"]


def test_site_section_reports_every_page_and_can_be_replaced_alone():
    chapters = {"01_basic_ideas.ipynb": (22.25, 1.65 * GIB)}
    anchor = _anchor()
    site = _site()
    results = checks(chapters, anchor, 700.0) + site_checks(site)
    text = appendix(chapters, (34.2, 1.1), anchor, _onednn(), results, 700.0,
                    "2026-11-25", "a test machine", site)
    assert "| 01_basic_ideas | 300 kB | 1200 kB | 3600 kB | 30 | 95 · 100 · 100 |" in text
    assert text.count("| holds |") == len(results) == 10
    newer = site_section(_site(chapter_mb=0.9), (1.0, 1.0), "2026-12-01", "elsewhere")
    replaced = replace_site_section(text, newer)
    assert "| 900 kB |" in replaced and "| 1200 kB |" not in replaced
    assert replaced.replace(newer, "") == text.replace(
        text[text.index(SITE_START):text.index(SITE_END) + len(SITE_END)], "")
    with pytest.raises(ValueError, match="no site section"):
        replace_site_section("# Performance", newer)
