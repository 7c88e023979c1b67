"""Sensitive values sealed at rest: AES-256-GCM (``cryptography``) under a key ring read from the settings.

A sealed value is ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``: the key id says which key of the ring
opened it, so keys can be rotated — a new key is put first in ``HSGCLINIC_DATA_KEYS`` (it seals everything new),
the old ones stay after it (they still open), ``hsgclinic keys rotate`` re-seals every row under the first key, and
then the old key can be removed. Each value is bound to its row by the *associated data* (for the resident ID
number: the row's ``id_hash``), so a sealed value copied into another patient's row does not open.

The ring's text form (the setting): ``kid:base64url-32-bytes[,kid:key…]``, first key active. ``hsgclinic keys new``
prints a fresh entry. See docs/security.md ("Data at rest") and docs/operations.md ("Rotating the data key").
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = "v1"
_KID = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
_NONCE_BYTES = 12


class KeyRingError(ValueError):
    """The key ring setting cannot be read (the message names the problem, never a key)."""


class SealError(ValueError):
    """A sealed value cannot be opened: unknown key id, tampered, or bound to another row."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_key_entry(kid: str) -> str:
    """A fresh ``kid:key`` entry (32 random bytes) for ``HSGCLINIC_DATA_KEYS``."""
    if not _KID.match(kid):
        raise KeyRingError("a key id is 1-16 lower-case letters, digits or '-'")
    return f"{kid}:{_b64encode(os.urandom(32))}"


@dataclass(frozen=True)
class KeyRing:
    """An ordered set of AES-256 keys; the first seals, any opens its own values."""

    kids: tuple[str, ...]
    _ciphers: tuple[AESGCM, ...]

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        return _parse(spec.strip())

    @property
    def active(self) -> str:
        return self.kids[0]

    def seal(self, plaintext: str, bound_to: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        body = self._ciphers[0].encrypt(nonce, plaintext.encode("utf-8"), bound_to.encode("utf-8"))
        return f"{FORMAT}.{self.kids[0]}.{_b64encode(nonce + body)}"

    def open(self, sealed: str, bound_to: str) -> str:
        version, kid, body = key_id_parts(sealed)
        if version != FORMAT or kid not in self.kids:
            raise SealError(f"no key {kid!r} in the ring (format {version!r})")
        try:
            raw = _b64decode(body)
            plain = self._ciphers[self.kids.index(kid)].decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode("utf-8")
            )
        except (InvalidTag, binascii.Error, ValueError):
            raise SealError("the sealed value does not open with its key (tampered or moved)") from None
        return plain.decode("utf-8")

    def needs_reseal(self, sealed: str) -> bool:
        """True when ``sealed`` is not under the active key."""
        return key_id_parts(sealed)[1] != self.kids[0]


def key_id_parts(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(".", 2)
    if len(parts) != 3:
        raise SealError("not a sealed value")
    return parts[0], parts[1], parts[2]


@lru_cache(maxsize=8)
def _parse(spec: str) -> KeyRing:
    if not spec:
        raise KeyRingError("no data key given")
    kids: list[str] = []
    ciphers: list[AESGCM] = []
    for n, entry in enumerate(spec.split(","), start=1):
        kid, sep, key_text = entry.strip().partition(":")
        if not sep or not _KID.match(kid):
            raise KeyRingError(f"entry {n}: expected kid:base64url-key with a key id of 1-16 [a-z0-9-]")
        if kid in kids:
            raise KeyRingError(f"entry {n}: key id {kid!r} appears twice")
        try:
            key = _b64decode(key_text.strip())
        except (binascii.Error, ValueError):
            raise KeyRingError(f"entry {n} ({kid}): the key is not base64url") from None
        if len(key) != 32:
            raise KeyRingError(f"entry {n} ({kid}): a key is 32 bytes (AES-256), this one is {len(key)}")
        kids.append(kid)
        ciphers.append(AESGCM(key))
    return KeyRing(tuple(kids), tuple(ciphers))


# What a resident ID number is bound to: its row's keyed hash (unique, never changes while the row lives).
def id_number_binding(id_hash: str) -> str:
    return f"patients.id_number|{id_hash}"
