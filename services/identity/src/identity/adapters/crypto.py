"""Password hashing, secrets at rest, signing keys and opaque tokens. No key material is ever logged."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass, field

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class PasswordHasher:
    """argon2id; hashing runs in a worker thread because it is slow and memory-hard on purpose."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        # Verified when the username is unknown, so both answers take the same time.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(password)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash or self._decoy, password, password_hash is None)

    def _verify(self, password_hash: str, password: str, decoy: bool) -> bool:
        try:
            return self._hasher.verify(password_hash, password) and not decoy
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


class SecretBox:
    """AES-256-GCM with a key derived from the configured secret; the nonce is stored with the ciphertext."""

    def __init__(self, secret: str, purpose: str) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=b"congdoan-identity", info=purpose.encode()).derive(
            secret.encode()
        )
        self._aead = AESGCM(key)
        self._aad = purpose.encode()

    def seal(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, self._aad)

    def open(self, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], self._aad)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def new_signing_key() -> SigningKey:
    return SigningKey(kid=uuid.uuid4().hex, private_key=Ed25519PrivateKey.generate())


def private_bytes(key: SigningKey) -> bytes:
    return key.private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signing_key_from(kid: str, raw_private: bytes) -> SigningKey:
    return SigningKey(kid=kid, private_key=Ed25519PrivateKey.from_private_bytes(raw_private))


def jwk(kid: str, raw_public: bytes) -> dict[str, str]:
    """RFC 8037 OKP key for the JWKS document."""
    x = base64.urlsafe_b64encode(raw_public).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Refresh tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()
