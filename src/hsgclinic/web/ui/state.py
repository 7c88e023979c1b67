"""What the page routes share: the clinic container and the page renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from hsgclinic.web.ui.rendering import Pages


@dataclass
class UiState:
    clinic: Any
    pages: Pages


def ui_state(request: Request) -> UiState:
    state: UiState = request.app.state.hsg_ui
    return state
