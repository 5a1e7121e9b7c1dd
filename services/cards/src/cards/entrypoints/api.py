"""HTTP endpoints of cards: `/api/v1/cards/...`. Only the chassis endpoints exist so far."""

from __future__ import annotations

from chassis.database import Database
from chassis.http import create_service_app
from fastapi import APIRouter, FastAPI

from cards.config import CardsSettings

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])


def create_app(settings: CardsSettings, database: Database) -> FastAPI:
    return create_service_app(settings, database, [router], title="Cards service")
