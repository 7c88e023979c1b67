"""Who is asking, by address: the TCP peer, or — only when ``HSGCLINIC_TRUSTED_PROXY_HEADER`` names a header
that the hospital's own reverse proxy sets (e.g. ``X-Forwarded-For`` or ``X-Real-IP``) — the address that proxy
reports. For ``X-Forwarded-For`` the LAST entry is taken: it is the one the trusted proxy appended; earlier
entries come from the client and could be forged to dodge the number-grab limit."""

from __future__ import annotations

from fastapi import Request


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else ""
    clinic = getattr(request.app.state, "clinic", None)
    header = getattr(getattr(clinic, "settings", None), "trusted_proxy_header", None)
    if header:
        reported = request.headers.get(header, "").rpartition(",")[2].strip()
        if reported:
            return reported[:64]
    return peer
