"""The audit trail on the running platform: one view over all six services, and no way to rewrite it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from contracts.wellknown import NATIONAL_CENTRE_ID

from tests.support.polling import eventually

SERVICES = ("orgtree", "members", "identity", "reporting", "dues", "cards")


async def test_every_service_answers_the_merged_view(admin):
    since = datetime.now(UTC).isoformat()
    request_id = f"e2e-audit-{uuid.uuid4().hex}"
    # A forged address: no proxy is trusted on the one-machine platform, so the trail keeps the real peer.
    forged = {"x-request-id": request_id, "x-forwarded-for": "203.0.113.66", "forwarded": "for=198.51.100.66"}
    created = await admin.post(
        "/api/v1/orgtree/units",
        headers=forged,
        json={
            "code": f"E2E-AUD-{uuid.uuid4().hex[:6]}",
            "name": "Liên đoàn Lao động tỉnh Kiểm Tra",
            "type_code": "provincial_federation",
            "parent_id": str(NATIONAL_CENTRE_ID),
        },
    )
    assert created.status_code == 201, created.text

    async def view():
        response = await admin.get("/api/v1/audit", params={"since": since, "actor": "admin", "request_id": request_id})
        assert response.status_code == 200, response.text
        return response.json()

    page = await eventually(view, lambda body: body["items"], timeout=30)
    assert page["missing_services"] == []
    assert [(e["service"], e["action"], e["outcome"]) for e in page["items"]] == [
        ("orgtree", "POST /api/v1/orgtree/units", "success")
    ]
    assert page["items"][0]["client_ip"] == "127.0.0.1"


@pytest.mark.parametrize("service", SERVICES)
async def test_no_service_lets_its_audit_rows_be_changed(platform, service):
    connection = await asyncpg.connect(platform.database_dsn(service))
    try:
        await connection.execute(
            "insert into audit_log (service, action, status, outcome) values ($1, 'POST /e2e', 201, 'success')", service
        )
        for statement in ("update audit_log set outcome = 'failed'", "delete from audit_log", "truncate audit_log"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await connection.execute(statement)
    finally:
        await connection.close()
