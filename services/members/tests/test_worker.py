"""The background worker runs with the app: an upload is validated and imported without anyone calling it."""

from __future__ import annotations

import httpx
from chassis.database import Database
from members.config import MembersSettings
from members.entrypoints.api import create_app

from services.members.tests.importing_support import xlsx
from tests.support.polling import eventually
from tests.support.services import TEST_SECRET


async def test_the_worker_started_with_the_app_imports_an_upload(registry):
    settings = MembersSettings(database_url=registry.url, internal_token_secret=TEST_SECRET)
    app = create_app(settings, Database(registry.url, 3))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as http:
            response = await http.post(
                "/api/v1/members/imports",
                data={"unit_id": str(registry.units["HNI-2"]), "mode": "valid_rows_only"},
                files={"file": ("ds.xlsx", xlsx([["Khúc Văn Nền", "Nam", "01/05/1990", "001090001901", None, None]]))},
                headers=registry.as_("data_entry", "HNI-2"),
            )
            assert response.status_code == 202, response.text
            url = f"/api/v1/members/imports/{response.json()['import_id']}"

            async def status():
                return (await http.get(url, headers=registry.as_("data_entry", "HNI-2"))).json()

            done = await eventually(status, lambda body: body["status"] in ("completed", "rejected", "failed"))
    assert (done["status"], done["inserted_rows"]) == ("completed", 1)
