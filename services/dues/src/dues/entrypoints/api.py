"""HTTP endpoints of dues: `/api/v1/dues/...`. Only the chassis endpoints exist so far."""

from __future__ import annotations

from chassis.database import Database
from chassis.http import create_service_app
from fastapi import APIRouter, FastAPI

from dues.config import DuesSettings

router = APIRouter(prefix="/api/v1/dues", tags=["dues"])


def create_app(settings: DuesSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Dues service")
