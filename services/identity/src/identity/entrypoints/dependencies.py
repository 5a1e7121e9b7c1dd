"""Request dependencies shared by identity's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from identity.adapters.crypto import PasswordHasher
from identity.config import IdentitySettings

# Token answers must never be cached by a browser or a proxy (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _settings(request: Request) -> IdentitySettings:
    return request.app.state.settings


def _hasher(request: Request) -> PasswordHasher:
    return request.app.state.password_hasher


Settings = Annotated[IdentitySettings, Depends(_settings)]
Hasher = Annotated[PasswordHasher, Depends(_hasher)]
