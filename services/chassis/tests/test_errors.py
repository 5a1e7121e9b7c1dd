"""Errors render as RFC 9457 problem+json, in Vietnamese and English, through a real service app."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from chassis.database import asyncpg_dsn
from chassis.errors import (
    PROBLEM_CONTENT_TYPE,
    Conflict,
    FieldError,
    NotFound,
    OutOfScope,
    Problem,
    RuleViolation,
    from_validation_errors,
)
from chassis.http import Session, create_service_app
from chassis.settings import ServiceSettings
from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import text

RFC_9457 = {"type", "title", "status", "detail"}


def test_a_problem_renders_rfc_9457_fields_in_both_languages():
    problem = RuleViolation(
        "Đoàn viên phải đủ 15 tuổi", "A member must be at least 15 years old", field="date_of_birth",
        code="member-too-young",
    )
    body = problem.body(instance="/api/v1/members/members", request_id="req-1")
    assert body == {
        "type": "urn:congdoan:problem:member-too-young",
        "title": "Business rule violated",
        "status": 422,
        "detail": "A member must be at least 15 years old",
        "code": "member-too-young",
        "message_vi": "Đoàn viên phải đủ 15 tuổi",
        "message_en": "A member must be at least 15 years old",
        "field": "date_of_birth",
        "instance": "/api/v1/members/members",
        "request_id": "req-1",
    }


@pytest.mark.parametrize(
    ("problem", "status", "code"),
    [
        (Problem("Sai", "Wrong"), 400, "bad-request"),
        (NotFound("Không tìm thấy", "Not found"), 404, "not-found"),
        (Conflict("Trùng", "Duplicate"), 409, "conflict"),
        (OutOfScope("Ngoài phạm vi", "Out of scope"), 403, "out-of-scope"),
    ],
)
def test_each_problem_class_fixes_status_and_code(problem, status, code):
    body = problem.body()
    assert RFC_9457 <= body.keys()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"urn:congdoan:problem:{code}")
    assert "field" not in body and "instance" not in body


def test_validation_errors_become_field_errors_with_vietnamese_messages():
    class Applicant(BaseModel):
        full_name: str = Field(min_length=2)
        year_of_birth: int

    try:
        Applicant.model_validate({"full_name": "A", "year_of_birth": "nineteen ninety"})
    except Exception as error:  # pydantic's ValidationError
        problem = from_validation_errors(error.errors())
    body = problem.body()
    assert (body["status"], body["code"], body["field"]) == (422, "invalid-input", "full_name")
    assert body["errors"] == [
        {"field": "full_name", "code": "string_too_short", "message_vi": "Giá trị quá ngắn",
         "message_en": "String should have at least 2 characters"},
        {"field": "year_of_birth", "code": "int_parsing", "message_vi": "Phải là số nguyên",
         "message_en": "Input should be a valid integer, unable to parse string as an integer"},
    ]
    assert body["message_vi"].startswith("Dữ liệu gửi lên không hợp lệ: full_name")


async def test_a_service_answers_problems_as_problem_json(database):
    router = APIRouter()

    @router.get("/things/{number}")
    async def read_thing(number: int) -> dict:
        raise NotFound(f"Không có mục {number}", f"No thing {number}", field="number",
                       errors=[FieldError("number", "unknown", "Không có", "Unknown")])

    app = create_service_app(ServiceSettings(service_name="chassis-test"), database, [router], title="test")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as http:
        missing = await http.get("/things/7", headers={"x-request-id": "r-7"})
        invalid = await http.get("/things/seven")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert missing.json() == {
        "type": "urn:congdoan:problem:not-found", "title": "Not found", "status": 404, "detail": "No thing 7",
        "code": "not-found", "message_vi": "Không có mục 7", "message_en": "No thing 7", "field": "number",
        "errors": [{"field": "number", "code": "unknown", "message_vi": "Không có", "message_en": "Unknown"}],
        "instance": "/things/7", "request_id": "r-7",
    }
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert (invalid.json()["code"], invalid.json()["field"]) == ("invalid-input", "number")


async def test_a_request_that_loses_a_deadlock_answers_try_again_and_changes_nothing(database):
    """A real deadlock between the request's transaction and another session: PostgreSQL rolls the request
    back whole, and the caller is told to send it again (503 with Retry-After), not a server error."""
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)"))
        await connection.execute(text("INSERT INTO counters VALUES (1, 0), (2, 0)"))
    holds_second = asyncio.Event()
    router = APIRouter()

    @router.post("/bump")
    async def bump(session: Session) -> dict:
        await session.execute(text("UPDATE counters SET n = n + 1 WHERE id = 2"))
        holds_second.set()
        await session.execute(text("UPDATE counters SET n = n + 1 WHERE id = 1"))  # waits for the other session
        return {"bumped": 2}

    app = create_service_app(ServiceSettings(service_name="chassis-test"), database, [router], title="test")
    other = await asyncpg.connect(asyncpg_dsn(database.url))
    try:
        other_transaction = other.transaction()
        await other_transaction.start()
        await other.execute("SET LOCAL deadlock_timeout = '30s'")  # so the request's backend detects it first
        await other.execute("UPDATE counters SET n = n + 10 WHERE id = 1")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as http:
            request = asyncio.create_task(http.post("/bump"))
            await holds_second.wait()
            other_waits = asyncio.create_task(other.execute("UPDATE counters SET n = n + 10 WHERE id = 2"))
            response = await request
            await other_waits
        await other_transaction.rollback()
        after = dict(await other.fetch("SELECT id, n FROM counters"))
    finally:
        await other.close()

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert (response.json()["code"], response.json()["retry_after_s"]) == ("try-again", 1)
    assert response.json()["message_vi"].startswith("Dữ liệu này đang được thay đổi cùng lúc")
    assert after == {1: 0, 2: 0}
