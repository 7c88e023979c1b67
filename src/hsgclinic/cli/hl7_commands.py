"""``hsgclinic hl7 serve``: the MLLP listener for ADT^A04/A08 from the HIS (docs/hl7.md).

The outbound messages (SIU, ORU, ORM/OMI) are sent by ``hsgclinic worker`` when ``HSGCLINIC_HL7_PEER_HOST`` is set.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hsgclinic.cli.input_errors import InputError, fail, lang_option

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN (default) or en")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="HL7 v2 over MLLP: the ADT listener (outbound messages go through `hsgclinic worker`).")
    app.add_typer(group, name="hl7")

    @group.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option("--host", help="overrides HSGCLINIC_HL7_LISTEN_HOST")] = None,
        port: Annotated[
            int | None, typer.Option("--port", min=0, max=65535, help="overrides HSGCLINIC_HL7_LISTEN_PORT")
        ] = None,
        lang: LangOpt = None,
    ) -> None:
        """Take ADT^A04 / ADT^A08 over MLLP and answer each with an ACK (AA / AE / AR); runs until stopped."""
        import asyncio
        import logging
        import signal

        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.cli.clinic_setup import load_settings
        from hsgclinic.hl7.inbound import AdtHandler
        from hsgclinic.hl7.server import Listener, serve
        from hsgclinic.i18n import translator
        from hsgclinic.persistence.schema import SchemaOutOfDate

        try:
            t = translator(lang_option(lang))
            settings = load_settings()
        except InputError as exc:
            fail(exc.message, lang)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            clinic = build_clinic(settings)
        except SchemaOutOfDate:
            typer.echo(t("The database schema is out of date: run `hsgclinic db upgrade` first."), err=True)
            raise typer.Exit(1) from None

        def ready(listener: Listener) -> None:
            typer.echo(
                t(
                    "HL7 MLLP listener on {host}:{port} (ADT^A04, ADT^A08)",
                    host=host or settings.hl7_listen_host,
                    port=listener.port,
                ),
                err=False,
            )

        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await serve(AdtHandler(clinic.ctx, settings), settings, host=host, port=port, ready=ready, stop=stop)

        try:
            asyncio.run(main())
        except OSError as exc:
            fail_text = t(
                "Cannot listen on {host}:{port}: {reason}",
                host=host or settings.hl7_listen_host,
                port=settings.hl7_listen_port if port is None else port,
                reason=exc.strerror or str(exc),
            )
            typer.echo(fail_text, err=True)
            raise typer.Exit(1) from None
        finally:
            clinic.dispose()

    @group.command("outbox")
    def outbox(lang: LangOpt = None) -> None:
        """List the HL7 messages not delivered yet (waiting in order, or refused by the peer), oldest first."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.cli.clinic_setup import load_settings
        from hsgclinic.i18n import translator
        from hsgclinic.services import hl7_outbound
        from hsgclinic.services.context import Actor, Role

        try:
            t = translator(lang_option(lang))
            clinic = build_clinic(load_settings())
        except InputError as exc:
            fail(exc.message, lang)
        try:
            rows = hl7_outbound.undelivered(clinic.ctx, Actor(Role.ADMIN, "cli"))
        finally:
            clinic.dispose()
        if not rows:
            typer.echo(t("Every HL7 message has been delivered."))
            return
        for r in rows:
            typer.echo(
                t(
                    "{id}  {control}  {type}  {case}  {status}, {attempts} attempt(s)  {error}",
                    id=r.outbox_id,
                    control=r.control_id,
                    type=r.message_type,
                    case=r.case_ref,
                    status=r.status,
                    attempts=r.attempts,
                    error=r.last_error[:200],
                )
            )

    @group.command("resend")
    def resend(
        outbox_id: Annotated[int, typer.Argument(help="the row id shown by `hsgclinic hl7 outbox`")],
        lang: LangOpt = None,
    ) -> None:
        """Write a message the peer refused again, as a new message at the end of the queue."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.cli.clinic_setup import load_settings
        from hsgclinic.i18n import translator
        from hsgclinic.services import hl7_outbound
        from hsgclinic.services.context import Actor, Role
        from hsgclinic.services.errors import ServiceError

        try:
            t = translator(lang_option(lang))
            clinic = build_clinic(load_settings())
        except InputError as exc:
            fail(exc.message, lang)
        try:
            new_id = hl7_outbound.resend(clinic.ctx, Actor(Role.ADMIN, "cli"), outbox_id)
        except ServiceError as exc:
            typer.echo(t.render(exc.message), err=True)
            raise typer.Exit(1) from None
        finally:
            clinic.dispose()
        typer.echo(t("Message {old} written again as {new}.", old=outbox_id, new=new_id))
