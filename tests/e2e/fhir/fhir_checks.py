"""Validation of what /fhir returns: fhir.resources (R4B models) and the npm peers in tests/peers/fhir
(@medplum/core's validator and the official R4 JSON schema)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from hsgtest import require_all

PEERS = Path(__file__).resolve().parents[2] / "peers" / "fhir"


def node() -> str:
    found = shutil.which("node")
    if found is None or not (PEERS / "node_modules").is_dir():
        if require_all():
            pytest.fail("node or tests/peers/fhir/node_modules is missing (make install-test-system)")
        pytest.skip("node and the npm peers are not installed")
    return found


def python_errors(resource: dict[str, Any]) -> list[str]:
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as exc:  # pydantic's ValidationError and fhir.resources' own errors
        return [f"fhir.resources {resource['resourceType']}: {exc}"]
    return []


def npm_errors(resources: list[dict[str, Any]]) -> list[list[str]]:
    done = subprocess.run(
        [node(), str(PEERS / "validate.mjs")],
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def assert_valid(resources: list[dict[str, Any]]) -> None:
    """Every resource (Bundles with their entries) passes both fhir.resources and the two npm validators."""
    problems = [e for r in resources for e in python_errors(r)]
    problems += [e for errors in npm_errors(resources) for e in errors]
    assert not problems, "\n".join(problems[:40])
