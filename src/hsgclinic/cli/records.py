"""Commands that need the database and the web server: ``db upgrade|current|check``, ``serve``, ``demo``,
``staff add``. The lead's ``cli/main.py`` calls :func:`register`.

Imports of SQLAlchemy, FastAPI and uvicorn happen inside the commands so that ``hsgclinic --help`` stays fast.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import typer

from hsgclinic.i18n import Translator, translator

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN (default) or en")]
UrlOpt = Annotated[str | None, typer.Option("--database-url", help="overrides HSGCLINIC_DATABASE_URL")]


DEMO_LOGINS_FILE = "demo-logins.txt"


def _settings(database_url: str | None) -> Any:
    from hsgclinic.config import load_settings

    return load_settings(database_url=database_url) if database_url else load_settings()


def _say(t: Translator, msgid: str, **params: object) -> None:
    typer.echo(t(msgid, **params))


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema: upgrade, current revision, check models against migrations.")
    staff = typer.Typer(help="Staff accounts.")
    app.add_typer(db, name="db")
    app.add_typer(staff, name="staff")

    @db.command("upgrade")
    def db_upgrade(database_url: UrlOpt = None, lang: LangOpt = None) -> None:
        """Apply every migration up to the newest."""
        from hsgclinic.persistence import schema
        from hsgclinic.persistence.engine import make_engine

        t = translator(lang)
        settings = _settings(database_url)
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
        schema.upgrade(engine, data_key_spec=settings.data_key_spec)
        _say(t, "The database schema is at {revision}.", revision=schema.current(engine) or "-")
        engine.dispose()

    @db.command("current")
    def db_current(database_url: UrlOpt = None, lang: LangOpt = None) -> None:
        """Show the database's revision and the code's."""
        from hsgclinic.persistence import schema
        from hsgclinic.persistence.engine import make_engine

        t = translator(lang)
        engine = make_engine(_settings(database_url).resolved_database_url)
        current, head = schema.current(engine), schema.head()
        engine.dispose()
        _say(t, "Database: {current}; code: {head}.", current=current or "-", head=head)
        if current != head:
            _say(t, "The database is out of date: run `hsgclinic db upgrade`.")
            raise typer.Exit(1)

    @db.command("check")
    def db_check(database_url: UrlOpt = None, lang: LangOpt = None) -> None:
        """Models and migrations agree (like `alembic check`): the migrations are applied to a scratch database of
        the same kind and compared with the models; the given database too when it is at the newest revision."""
        from hsgclinic.persistence.scratch import check_models_against_migrations

        t = translator(lang)
        problems = check_models_against_migrations(_settings(database_url).resolved_database_url)
        if problems:
            _say(t, "Models and migrations disagree:")
            for p in problems:
                typer.echo(f"  {p}")
            raise typer.Exit(1)
        _say(t, "Models and migrations agree.")

    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port")] = 8000,
        workers: Annotated[int, typer.Option(help="server processes")] = 1,
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Run the clinic app (uvicorn). Refuses an out-of-date schema, except the embedded SQLite default."""
        import os

        import uvicorn

        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.persistence.schema import SchemaOutOfDate

        t = translator(lang)
        if database_url:
            os.environ["HSGCLINIC_DATABASE_URL"] = database_url
        try:
            build_clinic(_settings(None)).dispose()  # validates settings, upgrades the embedded default
        except SchemaOutOfDate as exc:
            _say(t, "The database schema is out of date: run `hsgclinic db upgrade` first.")
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only a display name
        _say(
            t,
            "hsgclinic is running: open http://{host}:{port}/ in a browser (Ctrl+C stops it).",
            host=shown_host,
            port=port,
        )
        uvicorn.run(
            "hsgclinic.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
        )

    @staff.command("add")
    def staff_add(
        username: str,
        role: Annotated[str, typer.Option(help="registrar, doctor, radiologist or admin")],
        display_name: Annotated[str, typer.Option(help="name shown to colleagues")] = "",
        password: Annotated[str | None, typer.Option(help="generated when not given")] = None,
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Create a staff user (prints the password once when it is generated)."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.services import staff as staff_service
        from hsgclinic.services.context import Actor, Role
        from hsgclinic.services.errors import ServiceError

        t = translator(lang)
        clinic = build_clinic(_settings(database_url))
        secret = password or secrets.token_urlsafe(12)
        try:
            staff_service.create_user(
                clinic.ctx,
                Actor(Role.ADMIN, "cli"),
                username=username,
                display_name=display_name,
                role=role,
                password=secret,
            )
        except ServiceError as exc:
            typer.echo(t.render(exc.message), err=True)
            raise typer.Exit(1) from None
        finally:
            clinic.dispose()
        _say(t, "Created {username} ({role}).", username=username, role=role)
        if password is None:
            _say(t, "Password: {password}", password=secret)

    @app.command("demo")
    def demo(
        if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing when staff users exist")] = False,
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Fill the database with synthetic patients at every stage and print the staff logins it created."""
        from hsgclinic.bootstrap import build_clinic
        from hsgclinic.services.demo import fill_demo

        t = translator(lang)
        settings = _settings(database_url)
        logins_file = settings.data_dir / DEMO_LOGINS_FILE
        clinic = build_clinic(settings)
        try:
            result = fill_demo(clinic, if_empty=if_empty)
        finally:
            clinic.dispose()
        if result is None:
            _say(t, "The database already has data; nothing added.")
            if logins_file.is_file():
                _say(t, "Staff logins (username / password / role):")
                typer.echo(logins_file.read_text(encoding="utf-8"), nl=False)
            return
        lines = "".join(f"  {username} / {password} / {role}\n" for username, password, role in result.logins)
        if settings.environment == "development" and result.access:
            # Synthetic patients' access codes beside the logins (development only): to try My visit and the kiosk.
            lines += t("Synthetic patients (access code / last 4 of the ID / stage):") + "\n"
            lines += "".join(f"  {code} / {last4} / {stage}\n" for stage, code, last4 in result.access)
        if settings.environment == "development":
            # Kept beside the embedded database so that `make run` can show them again; never in production.
            logins_file.parent.mkdir(parents=True, exist_ok=True)
            logins_file.write_text(lines, encoding="utf-8")
            logins_file.chmod(0o600)
        _say(t, "Added {count} synthetic patients.", count=result.patients)
        for stage, count in result.stages.items():
            typer.echo(f"  {t(stage)}: {count}")
        _say(t, "Staff logins (username / password / role):")
        typer.echo(lines, nl=False)
