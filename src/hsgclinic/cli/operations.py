"""Running the installation: ``doctor``, ``backup``, ``restore``, ``keys new|rotate``, ``patient erase|expired``.
See docs/operations.md. Heavy imports happen inside the commands so that ``hsgclinic --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from hsgclinic.domain.messages import N_, Message
from hsgclinic.i18n import Translator, translator

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN (default) or en")]
UrlOpt = Annotated[str | None, typer.Option("--database-url", help="overrides HSGCLINIC_DATABASE_URL")]


def _settings(database_url: str | None) -> Any:
    from pydantic import ValidationError

    from hsgclinic.config import load_settings

    try:
        return load_settings(database_url=database_url) if database_url else load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
        typer.echo(f"{where}: {first['msg']}", err=True)
        raise typer.Exit(2) from None


def _fail(t: Translator, message: Message) -> NoReturn:
    typer.echo(f"{t('Error')}: {t.render(message)}", err=True)
    raise typer.Exit(1)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def register(app: typer.Typer) -> None:
    keys = typer.Typer(help="Data keys that seal the resident ID numbers: new key, rotate.")
    patient = typer.Typer(help="A patient's personal data: erase (within the retention rule), expired records.")
    app.add_typer(keys, name="keys")
    app.add_typer(patient, name="patient")

    @app.command("doctor")
    def doctor(lang: LangOpt = None) -> None:
        """Check the whole installation (settings, keys, database, fonts, PDF engine, mail server, backup tool);
        exit code 1 when anything fails."""
        from rich.console import Console
        from rich.table import Table

        from hsgclinic.cli.doctor import Status, run_checks

        t = translator(lang)
        checks = run_checks()
        style = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}
        word = {Status.OK: t("ok"), Status.WARN: t("warning"), Status.FAIL: t("FAILED"), Status.SKIP: t("skipped")}
        table = Table(title=t("hsgclinic installation check"))
        table.add_column(t("Check"))
        table.add_column(t("Result"))
        table.add_column(t("Detail"), overflow="fold")
        for c in checks:
            table.add_row(t.render(c.name), f"[{style[c.status]}]{word[c.status]}[/]", t.render(c.detail))
        Console(width=120).print(table)
        failed = sum(c.status is Status.FAIL for c in checks)
        if failed:
            typer.echo(t("{count} check(s) failed.", count=failed))
            raise typer.Exit(1)
        typer.echo(t("Everything needed is in place."))

    @app.command("backup")
    def backup(
        out: Annotated[Path, typer.Option("--out", help="backup file to write (replaced only when complete)")],
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """A consistent copy of the database while the clinic keeps running (SQLite online backup; pg_dump)."""
        from hsgclinic.persistence.backup import BackupError
        from hsgclinic.persistence.backup import backup as run_backup

        t = translator(lang)
        settings = _settings(database_url)
        try:
            done = run_backup(settings.resolved_database_url, out)
        except BackupError as exc:
            _fail(t, N_("The backup failed: {reason}", reason=str(exc)))
        typer.echo(
            t(
                "Backed up the {kind} database (schema {revision}) to {path}: {size} in {seconds} s.",
                kind=done.kind,
                revision=done.revision or "-",
                path=str(done.path),
                size=_megabytes(done.size_bytes),
                seconds=f"{done.seconds:.2f}",
            )
        )

    @app.command("restore")
    def restore(
        backup_file: Annotated[Path, typer.Argument(help="a file written by `hsgclinic backup`")],
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Restore a backup into an EMPTY database (a new SQLite file, or a PostgreSQL database with no tables)."""
        from hsgclinic.persistence import schema
        from hsgclinic.persistence.backup import BackupError
        from hsgclinic.persistence.backup import restore as run_restore

        t = translator(lang)
        settings = _settings(database_url)
        try:
            done = run_restore(backup_file, settings.resolved_database_url)
        except BackupError as exc:
            _fail(t, N_("The restore failed: {reason}", reason=str(exc)))
        typer.echo(
            t(
                "Restored {path} (schema {revision}) in {seconds} s.",
                path=str(backup_file),
                revision=done.revision or "-",
                seconds=f"{done.seconds:.2f}",
            )
        )
        if done.revision != schema.head():
            typer.echo(t("The database is out of date: run `hsgclinic db upgrade`."))

    @keys.command("new")
    def keys_new(
        kid: Annotated[str, typer.Option("--id", help="key id (1–16 of a-z 0-9 -), e.g. the year: k2027")] = "k1",
        lang: LangOpt = None,
    ) -> None:
        """Print a fresh data key entry for HSGCLINIC_DATA_KEYS (put it first; keep the old keys after it)."""
        from hsgclinic.persistence.sealing import KeyRingError, new_key_entry

        t = translator(lang)
        try:
            typer.echo(new_key_entry(kid))
        except KeyRingError as exc:
            _fail(t, N_("The key cannot be made: {reason}", reason=str(exc)))

    @keys.command("rotate")
    def keys_rotate(database_url: UrlOpt = None, lang: LangOpt = None) -> None:
        """Re-seal every ID number under the first key of HSGCLINIC_DATA_KEYS (then the old keys can be removed)."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.services import patient_data
        from hsgclinic.services.context import Actor, Role

        t = translator(lang)
        clinic = build_clinic(_settings(database_url))
        try:
            moved, current = patient_data.reseal_all(clinic.ctx, Actor(Role.ADMIN, "cli:keys-rotate"))
            left = patient_data.unreadable(clinic.ctx)
            active = clinic.ctx.key_ring.active
        finally:
            clinic.dispose()
        typer.echo(
            t(
                "Re-sealed {moved} ID numbers under key {kid}; {current} already were.",
                moved=moved,
                current=current,
                kid=active,
            )
        )
        if left:
            _fail(t, N_("{count} ID numbers cannot be opened with the configured keys.", count=left))

    @patient.command("erase")
    def patient_erase(
        record_number: Annotated[str | None, typer.Option("--record-number", help="e.g. HSG00000123")] = None,
        id_number: Annotated[str | None, typer.Option("--id-number", help="her resident ID or passport number")] = None,
        scope: Annotated[str, typer.Option("--scope", help="contact (any time) or all (after retention)")] = "contact",
        reason: Annotated[str, typer.Option("--reason", help="why (kept in the audit trail)")] = "",
        expired: Annotated[bool, typer.Option("--expired", help="erase everyone past the retention period")] = False,
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Erase a patient's contact data, or all her personal data once the retention period has passed
        (DATA-ERASE, DATA-RETAIN). The audit trail stays, under her pseudonymous patient id."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.services import patient_data
        from hsgclinic.services.context import Actor, Role
        from hsgclinic.services.errors import ServiceError

        t = translator(lang)
        try:
            kind = patient_data.EraseScope(scope)
        except ValueError:
            _fail(t, N_("--scope must be contact or all, not {value!r}.", value=scope))
        clinic = build_clinic(_settings(database_url))
        actor = Actor(Role.ADMIN, "cli:patient-erase")
        try:
            if expired:
                ids = [e.patient_id for e in patient_data.expired(clinic.ctx, actor)]
                for pid in ids:
                    patient_data.erase(
                        clinic.ctx,
                        actor,
                        pid,
                        scope=patient_data.EraseScope.ALL,
                        reason=reason or "retention period ended",
                    )
                typer.echo(t("Erased the personal data of {count} patients past the retention period.", count=len(ids)))
                return
            pid = patient_data.find_patient(clinic.ctx, record_number=record_number, id_number=id_number)
            done = patient_data.erase(clinic.ctx, actor, pid, scope=kind, reason=reason)
        except ServiceError as exc:
            rule = f" ({exc.rule})" if exc.rule else ""
            typer.echo(f"{t('Error')}{rule}: {t.render(exc.message)}", err=True)
            raise typer.Exit(1) from None
        finally:
            clinic.dispose()
        typer.echo(
            t(
                "Erased ({scope}) patient {patient}; {count} unsent messages withdrawn.",
                scope=done.scope.value,
                patient=done.patient_id,
                count=done.messages_withdrawn,
            )
        )

    @patient.command("expired")
    def patient_expired(database_url: UrlOpt = None, lang: LangOpt = None) -> None:
        """List patients past the retention period (HSGCLINIC_RETENTION_YEARS after the last activity)."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.services import patient_data
        from hsgclinic.services.context import Actor, Role

        t = translator(lang)
        clinic = build_clinic(_settings(database_url))
        try:
            rows = patient_data.expired(clinic.ctx, Actor(Role.ADMIN, "cli:patient-expired"))
        finally:
            clinic.dispose()
        for r in rows:
            typer.echo(
                t(
                    "patient {patient}: last activity {last}, erasable from {day}",
                    patient=r.patient_id,
                    last=r.last_activity,
                    day=r.erasable_from,
                )
            )
        typer.echo(t("{count} patients past the retention period.", count=len(rows)))
