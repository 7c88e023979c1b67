"""``hsgclinic dicom serve``: the Modality Worklist and MPPS service for the fluoroscopy unit
(docs/dicom-conformance.md). Runs beside ``hsgclinic serve`` on the same database."""

from __future__ import annotations

from typing import Annotated

import typer

from hsgclinic.cli.input_errors import InputError, fail, lang_option

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN (default) or en")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="DICOM: Modality Worklist (C-FIND) and MPPS (N-CREATE / N-SET) for the RF unit.")
    app.add_typer(group, name="dicom")

    @group.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option("--host", help="overrides HSGCLINIC_DICOM_HOST")] = None,
        port: Annotated[
            int | None, typer.Option("--port", min=0, max=65535, help="overrides HSGCLINIC_DICOM_PORT")
        ] = None,
        lang: LangOpt = None,
    ) -> None:
        """Answer worklist queries and performed-step reports from the allowed modalities; runs until stopped."""
        import logging
        import signal
        import threading

        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.cli.clinic_setup import load_settings
        from hsgclinic.dicom.server import DicomService
        from hsgclinic.i18n import translator
        from hsgclinic.persistence.schema import SchemaOutOfDate

        try:
            t = translator(lang_option(lang))
            settings = load_settings()
        except InputError as exc:
            fail(exc.message, lang)
        changes: dict[str, object] = {}
        if host is not None:
            changes["dicom_host"] = host
        if port is not None:
            changes["dicom_port"] = port
        settings = settings.model_copy(update=changes)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            clinic = build_clinic(settings)
        except SchemaOutOfDate:
            typer.echo(t("The database schema is out of date: run `hsgclinic db upgrade` first."), err=True)
            raise typer.Exit(1) from None
        service = DicomService(clinic.ctx, settings)
        try:
            try:
                bound = service.start()
            except OSError as exc:
                typer.echo(
                    t(
                        "Cannot listen on {host}:{port}: {reason}",
                        host=settings.dicom_host,
                        port=settings.dicom_port,
                        reason=exc.strerror or str(exc),
                    ),
                    err=True,
                )
                raise typer.Exit(1) from None
            typer.echo(
                t(
                    "DICOM worklist and MPPS service {ae} on {host}:{port}; callers: {callers}",
                    ae=settings.dicom_ae_title,
                    host=settings.dicom_host,
                    port=bound,
                    callers=", ".join(sorted(settings.dicom_callers)),
                )
            )
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            stop.wait()
        finally:
            service.stop()
            clinic.dispose()
