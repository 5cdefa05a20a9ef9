"""The GitHub workflows cannot run here; check what they would do: which jobs run the test
suite, in what order, with what environment, and what the site deployment waits for."""

from __future__ import annotations

import pathlib

import yaml

from ae_lib import data

WORKFLOWS = pathlib.Path(__file__).resolve().parent.parent / ".github" / "workflows"


def _load(name):
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _runs(job):
    return [step.get("run", "") for step in job.get("steps", [])]


def _runs_make_test(job):
    return any(line.strip() == "make test" for run in _runs(job) for line in run.splitlines())


def _needs(workflow, name):
    """Every job that job ``name`` waits for, directly or through other jobs."""
    needs = workflow["jobs"][name].get("needs", [])
    needs = [needs] if isinstance(needs, str) else list(needs)
    found = set(needs)
    for need in needs:
        found |= _needs(workflow, need)
    return found


def test_the_test_workflow_runs_make_test_offline_on_every_push_and_pull_request(monkeypatch):
    workflow = _load("test.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["on"]["push"] is None, "every branch, not a filtered list"
    testing = [job for job in workflow["jobs"].values() if _runs_make_test(job)]
    assert len(testing) == 1
    (job,) = testing
    runs = _runs(job)
    # The data come from the Debian package, installed before the tests run...
    data_step = next(i for i, run in enumerate(runs) if "dataset-fashion-mnist" in run)
    assert data_step < runs.index("make test")
    # ... and the job's environment really switches ae_lib's downloads off.
    monkeypatch.setenv(data.OFFLINE_ENV_VAR, str(job["env"][data.OFFLINE_ENV_VAR]))
    assert data.offline()


def test_the_site_is_deployed_only_after_make_test_passed():
    workflow = _load("pages.yml")
    assert "deploy" in workflow["jobs"]
    waited_for = _needs(workflow, "deploy")
    assert any(_runs_make_test(workflow["jobs"][name]) for name in waited_for), \
        f"deploy waits for {sorted(waited_for)}, none of which runs make test"


def test_the_pages_workflow_deploys_what_make_book_built_from_main():
    workflow = _load("pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    build = workflow["jobs"]["build"]
    steps = build["steps"]
    runs = [step.get("run") for step in steps]
    checkout = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith(
        "actions/checkout"))
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith(
        "actions/upload-pages-artifact"))
    assert checkout < runs.index("make book") < upload
    assert steps[upload]["with"]["path"] == "_build/html"  # where `make book` writes
    assert "build" in _needs(workflow, "deploy")
