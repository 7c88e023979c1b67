"""Refusals. Each names the rule (``rule``), a machine-readable ``code`` and a translatable ``message``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hsgclinic.domain.findings import Finding
from hsgclinic.domain.messages import Message


class ServiceError(Exception):
    """Base of every refusal. ``details`` carries extra machine-readable facts (e.g. the release time)."""

    def __init__(
        self,
        code: str,
        message: Message,
        *,
        rule: str | None = None,
        findings: tuple[Finding, ...] = (),
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message.english()}")
        self.code = code
        self.message = message
        self.rule = rule
        self.findings = findings
        self.details: Mapping[str, object] = MappingProxyType(dict(details or {}))

    @property
    def rules(self) -> list[str]:
        found = [f.rule for f in self.findings]
        return list(dict.fromkeys(([self.rule] if self.rule else []) + found))


class RuleRefused(ServiceError):
    """The pathway's rules say no (HTTP 409)."""


class InvalidInput(ServiceError):
    """The request cannot be right (HTTP 422)."""


class NotFound(ServiceError):
    """No such record, or not one this actor may see (HTTP 404)."""


class NotAuthenticated(ServiceError):
    """No valid login (HTTP 401)."""


class Forbidden(ServiceError):
    """Logged in, but the role may not do this (HTTP 403)."""


class TooManyRequests(ServiceError):
    """Rate limit reached (HTTP 429)."""
