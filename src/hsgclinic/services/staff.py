"""Staff users (argon2 password hashes), logins (rate-limited in the database), sessions with expiry, and the
patient's own access (access code from her registration + the last 4 characters of her ID).

Only a SHA-256 of a session token is stored; the token itself is returned once, at login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import AuthSession, LoginAttempt, Patient, RegistrationNumber, StaffUser
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotAuthenticated, RuleRefused, TooManyRequests

STAFF_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_DUMMY = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$0000000000000000000000"


def hasher(ctx: ServiceContext) -> PasswordHasher:
    if ctx.settings.password_hash_cost == "fast-for-tests":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@dataclass(frozen=True)
class StaffView:
    user_id: int
    username: str
    display_name: str
    role: Role
    active: bool


@dataclass(frozen=True)
class Login:
    token: str  # give it back as ``Authorization: Bearer <token>`` or the session cookie
    expires_at: dt.datetime
    actor: Actor


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    ctx: ServiceContext, actor: Actor, *, username: str, display_name: str, role: str, password: str
) -> StaffView:
    """Admin: a new staff user. Passwords have at least 10 characters."""
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput("invalid_username", N_("A username has 2–64 lower-case letters, digits, '.', '_' or '-'."))
    try:
        r = Role(role)
    except ValueError:
        r = Role.PUBLIC
    if r not in STAFF_ROLES:
        raise InvalidInput("invalid_role", N_("Unknown staff role."))
    if len(password) < 10:
        raise InvalidInput("weak_password", N_("A password needs at least 10 characters."))
    digest = hasher(ctx).hash(password)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        if s.execute(select(StaffUser.id).where(StaffUser.username == name)).first() is not None:
            raise RuleRefused("username_taken", N_("This username is taken."))
        user = StaffUser(
            username=name,
            display_name=display_name.strip() or name,
            role=r.value,
            password_hash=digest,
            active=True,
            created_at=now,
        )
        s.add(user)
        s.flush()
        audit.record(s, actor, "staff.create", "staff_user", user.id, at=now, detail={"role": r.value})
        uow.commit()
        return StaffView(user.id, user.username, user.display_name, r, True)


def list_users(ctx: ServiceContext) -> list[StaffView]:
    with ctx.read() as uow:
        rows = uow.session.execute(select(StaffUser).order_by(StaffUser.username)).scalars().all()
        return [StaffView(u.id, u.username, u.display_name, Role(u.role), u.active) for u in rows]


def login(ctx: ServiceContext, *, username: str, password: str, address: str) -> Login:
    """Check the password (argon2, once per login); failures are counted per username in the database and more
    than ``login_attempts_per_15min`` of them in 15 minutes lock the username out for the rest of the window."""
    name = username.strip().lower()
    now = ctx.now()
    since = now - dt.timedelta(minutes=15)
    with ctx.read() as uow:
        failures = uow.session.execute(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == name, LoginAttempt.at >= since)
        ).scalar_one()
        user = uow.session.execute(select(StaffUser).where(StaffUser.username == name)).scalar_one_or_none()
    if failures >= ctx.settings.login_attempts_per_15min:
        raise TooManyRequests("too_many_logins", N_("Too many failed logins; try again in 15 minutes."))
    ok = False
    try:
        ok = hasher(ctx).verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        ok = False
    with ctx.write() as uow:
        s = uow.session
        if not ok or user is None or not user.active:
            s.add(LoginAttempt(username=name[:64], address=address[:64], at=now))
            uow.commit()
            raise NotAuthenticated("bad_login", N_("Wrong username or password."))
        token = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=ctx.settings.session_hours)
        s.add(
            AuthSession(
                token_hash=_token_hash(token),
                staff_user_id=user.id,
                patient_id=None,
                registration_id=None,
                role=user.role,
                created_at=now,
                expires_at=expires,
                address=address[:64],
            )
        )
        s.execute(delete(AuthSession).where(AuthSession.expires_at < now))
        s.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
        actor = Actor(Role(user.role), user.username, address, user_id=user.id, display_name=user.display_name)
        audit.record(s, actor, "staff.login", "staff_user", user.id, at=now)
        uow.commit()
        return Login(token, expires, actor)


def patient_login(ctx: ServiceContext, *, access_code: str, id_last4: str, address: str) -> Login:
    """The patient's own access: the access code of one of her registrations + the last 4 of her ID."""
    code = access_code.strip().upper()
    last4 = id_last4.strip().upper()
    now = ctx.now()
    since = now - dt.timedelta(minutes=15)
    key = f"code:{code}"[:64]
    with ctx.write() as uow:
        s = uow.session
        failures = s.execute(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == key, LoginAttempt.at >= since)
        ).scalar_one()
        if failures >= ctx.settings.login_attempts_per_15min:
            raise TooManyRequests("too_many_logins", N_("Too many failed logins; try again in 15 minutes."))
        row = s.execute(
            select(RegistrationNumber, Patient)
            .join(Patient, Patient.id == RegistrationNumber.patient_id)
            .where(RegistrationNumber.access_code == code)
        ).first()
        if row is None or not hmac.compare_digest(row[1].id_last4.encode(), last4.encode()):
            s.add(LoginAttempt(username=key, address=address[:64], at=now))
            uow.commit()
            raise NotAuthenticated(
                "bad_access_code", N_("The access code or the last 4 characters of the ID are wrong.")
            )
        reg, patient = row
        token = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=2)
        s.add(
            AuthSession(
                token_hash=_token_hash(token),
                staff_user_id=None,
                patient_id=patient.id,
                registration_id=reg.id,
                role=Role.PATIENT.value,
                created_at=now,
                expires_at=expires,
                address=address[:64],
            )
        )
        actor = Actor(Role.PATIENT, f"patient:{patient.id}", address, patient_id=patient.id, registration_id=reg.id)
        audit.record(s, actor, "patient.login", "patient", patient.id, at=now, patient_id=patient.id)
        uow.commit()
        return Login(token, expires, actor)


def authenticate(ctx: ServiceContext, token: str, address: str) -> Actor:
    """The actor behind a session token (raises :class:`NotAuthenticated` when unknown or expired)."""
    now = ctx.now()
    with ctx.read() as uow:
        row = uow.session.execute(
            select(AuthSession, StaffUser)
            .outerjoin(StaffUser, StaffUser.id == AuthSession.staff_user_id)
            .where(AuthSession.token_hash == _token_hash(token))
        ).first()
    if row is None or row[0].expires_at <= now:
        raise NotAuthenticated("not_authenticated", N_("Please log in."))
    sess, user = row
    if sess.staff_user_id is not None:
        if user is None or not user.active:
            raise NotAuthenticated("not_authenticated", N_("Please log in."))
        return Actor(Role(user.role), user.username, address, user_id=user.id, display_name=user.display_name)
    return Actor(
        Role.PATIENT,
        f"patient:{sess.patient_id}",
        address,
        patient_id=sess.patient_id,
        registration_id=sess.registration_id,
    )


def logout(ctx: ServiceContext, token: str) -> None:
    with ctx.write() as uow:
        uow.session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))
        uow.commit()
