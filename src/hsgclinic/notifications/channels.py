"""Channels: email over SMTP (smtplib) and SMS behind :class:`SmsGateway` (a logging one and an HTTP one).

A channel only translates an :class:`OutgoingMessage` into its wire form; it raises on failure and the worker
decides about retries. Nothing is built at import time.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any, Protocol

from hsgclinic.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    channel: str  # "email" | "sms"
    to: str
    subject: str
    body: str
    message_ref: str  # stable per outbox row: the same on a duplicate send, so a client can drop it
    payload: Mapping[str, Any] | None = None  # the row's payload, for channels that build their own wire form (hl7)


class DeliveryRefused(Exception):
    """The receiver read the message and refused it (e.g. an HL7 ACK with AE / AR): sending it again would get
    the same answer, so the worker records it as failed at once, with the receiver's reason, instead of retrying."""


class Sender(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Deliver or raise; returns the provider's reference (or the message ref)."""
        ...


class EmailSender:
    """Plain-text UTF-8 email over SMTP; the Message-ID is the outbox row's, so a duplicate is recognisable."""

    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        *,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 20.0,
        from_name: str = "",
    ) -> None:
        self.host, self.port, self.mail_from = host, port, mail_from
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout
        self.from_name = from_name

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailSender:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_s,
            from_name=settings.site.name_zh,
        )

    def send(self, message: OutgoingMessage) -> str:
        mail = EmailMessage()
        mail["From"] = formataddr((self.from_name, self.mail_from)) if self.from_name else self.mail_from
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Message-ID"] = message.message_ref
        mail.set_content(message.body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(mail)
        return message.message_ref


class SmsGateway(Protocol):
    def send_sms(self, phone: str, text: str, reference: str) -> str:
        """Hand the text to the gateway or raise; returns the gateway's message id."""
        ...


class LoggingSmsGateway:
    """Development and tests: writes the SMS to the log (phone masked) and keeps it in :attr:`sent`."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send_sms(self, phone: str, text: str, reference: str) -> str:
        self.sent.append((phone, text, reference))
        log.info("SMS to ***%s (%s): %s", phone[-4:], reference, text)
        return reference


class HttpSmsGateway:
    """A JSON-over-HTTPS gateway: ``POST {url}`` with a bearer token and ``{"to", "text", "reference"}``.

    The reference is the outbox row's, so a gateway that de-duplicates by reference drops a repeat."""

    def __init__(self, url: str, token: str, *, timeout: float = 20.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send_sms(self, phone: str, text: str, reference: str) -> str:
        import httpx

        response = httpx.post(
            self.url,
            json={"to": phone, "text": text, "reference": reference},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=self.timeout,
        )
        response.raise_for_status()
        try:
            data = response.json()
        except ValueError:
            return reference
        return str(data.get("id", reference)) if isinstance(data, dict) else reference


class SmsSender:
    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, message: OutgoingMessage) -> str:
        return self.gateway.send_sms(message.to, message.body, message.message_ref)


def senders_from_settings(settings: Settings) -> Mapping[str, Sender]:
    gateway: SmsGateway
    if settings.sms_gateway_url and settings.sms_gateway_token:
        gateway = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token)
    else:
        gateway = LoggingSmsGateway()
    return {"email": EmailSender.from_settings(settings), "sms": SmsSender(gateway)}
