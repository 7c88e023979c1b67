"""``hsgclinic doctor``: is this installation ready to run the clinic? Each check is ok, a warning or a failure.

Settings valid; the secret key and the data keys fit the environment; the database reachable and at the code's
schema revision; every sealed ID number opens with the configured keys; a Chinese font installed (PDFs); the PDF
engine loads; the mail server answers (when one is configured); pg_dump present (PostgreSQL backups); the data
directory writable (embedded SQLite). Any failure → exit code 1.
"""

from __future__ import annotations

import enum
import shutil
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hsgclinic.domain.messages import N_, Message

if TYPE_CHECKING:
    from hsgclinic.config import Settings


class Status(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    name: Message
    status: Status
    detail: Message


def _ok(name: Message, detail: Message) -> Check:
    return Check(name, Status.OK, detail)


def check_settings() -> tuple[Check, Settings | None]:
    from pydantic import ValidationError

    from hsgclinic.config import load_settings

    name = N_("Settings")
    try:
        settings = load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
        return Check(name, Status.FAIL, N_("{where}: {reason}", where=where, reason=first["msg"])), None
    return _ok(name, N_("valid ({environment})", environment=settings.environment)), settings


def check_secret(settings: Settings) -> Check:
    from hsgclinic.config import DEVELOPMENT_SECRET

    name = N_("Secret key")
    if settings.secret_key == DEVELOPMENT_SECRET or len(settings.secret_key) < 32:
        status = Status.WARN if settings.environment == "development" else Status.FAIL
        return Check(name, status, N_("the development default or shorter than 32 characters"))
    return _ok(name, N_("set ({length} characters)", length=len(settings.secret_key)))


def check_data_keys(settings: Settings) -> Check:
    from hsgclinic.persistence.sealing import KeyRing

    name = N_("Data keys (ID numbers at rest)")
    ring = KeyRing.parse(settings.data_key_spec)
    if not settings.data_keys:
        status = Status.WARN if settings.environment != "production" else Status.FAIL
        return Check(name, status, N_("not set: derived from the secret key (development only)"))
    return _ok(name, N_("{count} key(s), sealing with {kid}", count=len(ring.kids), kid=ring.active))


def check_database(settings: Settings) -> list[Check]:
    from sqlalchemy import text

    from hsgclinic.persistence import schema
    from hsgclinic.persistence.engine import make_engine

    reach, migrated = N_("Database reachable"), N_("Database schema")
    from pathlib import Path

    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(str(url.database)).exists():
            return [
                Check(reach, Status.WARN, N_("no database yet: `hsgclinic serve` or `hsgclinic db upgrade` makes it")),
                Check(migrated, Status.SKIP, N_("no database yet")),
            ]
    engine = make_engine(settings.resolved_database_url, pool_size=1)
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        current, head = schema.current(engine), schema.head()
    except Exception as exc:
        return [
            Check(reach, Status.FAIL, N_("cannot connect: {error}", error=_short(exc))),
            Check(migrated, Status.SKIP, N_("database not reachable")),
        ]
    finally:
        engine.dispose()
    checks = [_ok(reach, N_("{backend} answers", backend=engine.dialect.name))]
    if current == head:
        checks.append(_ok(migrated, N_("at {revision}", revision=head)))
    else:
        checks.append(
            Check(
                migrated,
                Status.FAIL,
                N_(
                    "at {current}, the code needs {head}: run `hsgclinic db upgrade`", current=current or "-", head=head
                ),
            )
        )
    return checks


def check_sealed(settings: Settings) -> Check:
    from hsgclinic.bootstrap import build_clinic
    from hsgclinic.services import patient_data

    name = N_("Sealed ID numbers open")
    clinic = build_clinic(settings, check_schema=False)
    try:
        bad = patient_data.unreadable(clinic.ctx)
    except Exception as exc:
        return Check(name, Status.FAIL, N_("cannot read: {error}", error=_short(exc)))
    finally:
        clinic.dispose()
    if bad:
        return Check(
            name, Status.FAIL, N_("{count} cannot be opened with the configured keys (a key is missing)", count=bad)
        )
    return _ok(name, N_("every one opens with the configured keys"))


def check_fonts() -> Check:
    from hsgclinic.documents.fonts import PACKAGE, PREFERRED_FAMILY, probe

    name = N_("Chinese font (PDF documents)")
    found = probe()
    if not found.ok:
        return Check(name, Status.FAIL, N_("none installed: install {package}", package=PACKAGE))
    if not found.preferred_present:
        return Check(
            name,
            Status.WARN,
            N_(
                "{family} missing; another Chinese font will be used (install {package})",
                family=PREFERRED_FAMILY,
                package=PACKAGE,
            ),
        )
    return _ok(name, N_("{family} installed", family=PREFERRED_FAMILY))


def check_pdf_engine() -> Check:
    name = N_("PDF engine (WeasyPrint, Pango)")
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        return Check(name, Status.FAIL, N_("does not load: {error}", error=_short(exc)))
    return _ok(name, N_("WeasyPrint {version}", version=weasyprint.__version__))


def check_smtp(settings: Settings) -> Check:
    name = N_("Mail server (email reminders)")
    configured = bool({"smtp_host", "smtp_port", "smtp_user"} & settings.model_fields_set)
    if not configured:
        return Check(name, Status.SKIP, N_("not configured (HSGCLINIC_SMTP_HOST unset)"))
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=min(settings.smtp_timeout_s, 10)) as smtp:
            code, _ = smtp.ehlo()
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
    except (OSError, smtplib.SMTPException) as exc:
        return Check(
            name,
            Status.FAIL,
            N_(
                "{host}:{port} does not answer: {error}",
                host=settings.smtp_host,
                port=settings.smtp_port,
                error=_short(exc),
            ),
        )
    return _ok(name, N_("{host}:{port} answers ({code})", host=settings.smtp_host, port=settings.smtp_port, code=code))


def check_backup_tool(settings: Settings) -> Check:
    name = N_("Backup tool")
    if settings.is_embedded:
        return _ok(name, N_("SQLite online backup (built in)"))
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        return Check(name, Status.FAIL, N_("pg_dump/pg_restore missing: install postgresql-client"))
    return _ok(name, N_("pg_dump and pg_restore found"))


def check_data_dir(settings: Settings) -> Check:
    name = N_("Data directory")
    if not settings.is_embedded or settings.database_url is not None:
        return Check(name, Status.SKIP, N_("not used (the database is elsewhere)"))
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.data_dir):
            pass
    except OSError as exc:
        return Check(
            name, Status.FAIL, N_("{path} is not writable: {error}", path=str(settings.data_dir), error=_short(exc))
        )
    return _ok(name, N_("{path} is writable", path=str(settings.data_dir.resolve())))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def run_checks() -> list[Check]:
    first, settings = check_settings()
    checks = [first]
    if settings is None:
        return [*checks, check_fonts(), check_pdf_engine()]
    steps: list[Callable[[], Check | list[Check]]] = [
        lambda: check_secret(settings),
        lambda: check_data_keys(settings),
        lambda: check_data_dir(settings),
        lambda: check_database(settings),
    ]
    for step in steps:
        got = step()
        checks += got if isinstance(got, list) else [got]
    if all(c.status is Status.OK for c in checks if c.name.msgid in ("Database reachable", "Database schema")):
        checks.append(check_sealed(settings))
    checks += [check_fonts(), check_pdf_engine(), check_smtp(settings), check_backup_tool(settings)]
    return checks
