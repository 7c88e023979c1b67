"""Pages built on the services (filled in as the services land)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
