"""``hsgclinic worker [--once] [--interval SECONDS]``: deliver the outbox (docs/decisions/0002-outbox-delivery.md)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        once: bool = typer.Option(False, "--once", help="Send what is due now, then exit."),
        interval: float = typer.Option(30.0, "--interval", min=1.0, help="Seconds between passes."),
    ) -> None:
        """Send due reminders (email, SMS) and HL7 messages from the outbox, with retries; runs until stopped."""
        import logging
        import signal
        import threading

        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.config import load_settings
        from hsgclinic.notifications.channels import senders_from_settings
        from hsgclinic.notifications.worker import OutboxWorker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        settings = load_settings()
        clinic = build_clinic(settings)
        try:
            senders = dict(senders_from_settings(settings))
            if settings.hl7_peer_host:  # HL7 messages to the hospital's systems (docs/hl7.md)
                from hsgclinic.hl7.outbound import Hl7Sender

                senders["hl7"] = Hl7Sender(settings)
            w = OutboxWorker(clinic.ctx.uow, settings, senders, clinic.ctx.now)
            if once:
                stats = w.run_once()
                typer.echo(
                    f"claimed {stats.claimed}, sent {stats.sent}, failed {stats.failed}, gave up {stats.gave_up}, "
                    f"expired {stats.expired}"
                )
                raise typer.Exit(1 if stats.failed else 0)
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            w.run_forever(interval, stop)
        finally:
            clinic.dispose()
