"""The FHIR R4 API at ``/fhir`` (``application/fhir+json``): an adapter over the services, no business rule.

``create_fhir_app(clinic)`` builds the ASGI app the web app mounts at ``/fhir``: its own error handlers answer
with OperationOutcome. See docs/fhir.md for the mapping, the scopes and examples.
"""

from __future__ import annotations

from hsgclinic.fhir.routes import create_fhir_app

__all__ = ["create_fhir_app"]
