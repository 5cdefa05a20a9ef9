"""The GitHub workflows cannot run here; check that they say what they should."""

from __future__ import annotations

import pathlib

import yaml

WORKFLOWS = pathlib.Path(__file__).resolve().parent.parent / ".github" / "workflows"


def _load(name):
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _runs(job):
    return [step.get("run", "") for step in job["steps"]]


def _uses(job):
    return [step.get("uses", "").split("@")[0] for step in job["steps"]]


def test_the_test_workflow_runs_make_test_on_every_push_and_pull_request():
    workflow = _load("test.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["on"]["push"] is None, "every branch, not a filtered list"
    (job,) = workflow["jobs"].values()
    assert "actions/checkout" in _uses(job) and "actions/setup-python" in _uses(job)
    runs = _runs(job)
    assert any("dataset-fashion-mnist" in run for run in runs)
    assert runs.count("make test") == 1
    assert job["env"]["AE_LIB_OFFLINE"] == "1"


def test_the_pages_workflow_builds_with_make_book_and_deploys_from_main():
    workflow = _load("pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "make book" in _runs(build)
    upload = next(s for s in build["steps"]
                  if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert _uses(deploy) == ["actions/deploy-pages"]
    steps = build["steps"]
    checkout = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout < [s.get("run") for s in steps].index("make book")
