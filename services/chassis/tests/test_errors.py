"""Errors render as RFC 9457 problem+json, in Vietnamese and English, through a real service app."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import httpx
import pytest
from chassis.database import asyncpg_dsn
from chassis.errors import (
    PROBLEM_CONTENT_TYPE,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    OutOfScope,
    Problem,
    RuleViolation,
    from_validation_errors,
)
from chassis.http import Session, create_service_app
from chassis.pagination import Keyset, encode_values
from chassis.settings import ServiceSettings
from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import text

RFC_9457 = {"type", "title", "status", "detail"}


def test_a_problem_renders_rfc_9457_fields_in_both_languages():
    problem = RuleViolation(
        "Đoàn viên phải đủ 15 tuổi",
        "A member must be at least 15 years old",
        field="date_of_birth",
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
        {
            "field": "full_name",
            "code": "string_too_short",
            "message_vi": "Giá trị quá ngắn",
            "message_en": "String should have at least 2 characters",
        },
        {
            "field": "year_of_birth",
            "code": "int_parsing",
            "message_vi": "Phải là số nguyên",
            "message_en": "Input should be a valid integer, unable to parse string as an integer",
        },
    ]
    assert body["message_vi"].startswith("Dữ liệu gửi lên không hợp lệ: full_name")


async def test_a_service_answers_problems_as_problem_json(database):
    router = APIRouter()

    @router.get("/things/{number}")
    async def read_thing(number: int) -> dict:
        raise NotFound(
            f"Không có mục {number}",
            f"No thing {number}",
            field="number",
            errors=[FieldError("number", "unknown", "Không có", "Unknown")],
        )

    app = create_service_app(ServiceSettings(service_name="chassis-test"), database, [router], title="test")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as http:
        missing = await http.get("/things/7", headers={"x-request-id": "r-7"})
        invalid = await http.get("/things/seven")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert missing.json() == {
        "type": "urn:congdoan:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No thing 7",
        "code": "not-found",
        "message_vi": "Không có mục 7",
        "message_en": "No thing 7",
        "field": "number",
        "errors": [{"field": "number", "code": "unknown", "message_vi": "Không có", "message_en": "Unknown"}],
        "instance": "/things/7",
        "request_id": "r-7",
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


def test_one_cursor_codec_refuses_anything_it_did_not_write():
    """Broken base64 or JSON, the wrong number or types of values, and values PostgreSQL cannot hold are all
    the same 422 on `after`; what it wrote comes back typed."""
    keyset = Keyset(datetime, UUID)
    at, some_id = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), uuid.uuid4()
    assert keyset.decode(keyset.encode(at, some_id)) == (at, some_id)
    assert keyset.window(None, 10).fetch == 11
    forged = [
        "%%%",
        "bm90IGpzb24",
        encode_values([at.isoformat()]),
        encode_values([1, str(some_id)]),
        encode_values([at.isoformat(), {"a": 1}]),
        encode_values(["2026-01-02T03:04:05", str(some_id)]),
        encode_values([at.isoformat(), "a\x00b"]),
        Keyset(int).encode(2**70),
        "x" * 5000,
    ]
    for cursor in forged:
        with pytest.raises(InvalidInput) as refused:
            keyset.decode(cursor)
        assert refused.value.field == "after", cursor
    with pytest.raises(InvalidInput):
        Keyset(int).decode(encode_values([2**70]))


def test_a_window_adds_the_one_extra_row_and_reads_it_back():
    by_code = Keyset(str)
    first, later = by_code.window(None, 2), by_code.window(by_code.encode("HN-2"), 2)
    assert (first.fetch, first.after_value, later.after_value) == (3, None, "HN-2")
    assert first.split(["a", "b", "c"]) == (["a", "b"], True) and first.split(["a", "b"]) == (["a", "b"], False)
    page = later.page(["HN-3", "HN-4", "HN-5"], lambda code: (code,))
    assert page.items == ["HN-3", "HN-4"] and by_code.decode(page.next_cursor) == ("HN-4",)
    assert later.page(["HN-3"], lambda code: (code,)).next_cursor is None
    with pytest.raises(TypeError):
        _ = Keyset(datetime, UUID).window(None, 2).after_value


class Thing(BaseModel):
    name: str


async def test_every_error_of_the_framework_is_a_problem_too(database):
    """Routing (404, 405 with Allow), unreadable bodies (invalid UTF-8, nesting too deep, broken multipart) and an
    unexpected failure all answer problem+json; the last one also closes its connection."""
    router = APIRouter()

    @router.post("/things")
    async def create(thing: Thing) -> dict:
        return {"name": thing.name}

    @router.post("/files")
    async def upload(file: UploadFile = File(...)) -> dict:
        return {"name": file.filename}

    @router.get("/broken")
    async def broken() -> dict:
        raise RuntimeError("a bug")

    app = create_service_app(ServiceSettings(service_name="chassis-test"), database, [router], title="test")
    json_type = {"content-type": "application/json"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://service"
    ) as http:
        answers = {
            "no route": await http.get("/nothing"),
            "wrong method": await http.delete("/things"),
            "invalid UTF-8": await http.post("/things", content=b'{"name": "\xff\xfe"}', headers=json_type),
            "too deep": await http.post("/things", content=b"[" * 100_000 + b"]" * 100_000, headers=json_type),
            "broken multipart": await http.post(
                "/files", content=b"garbage", headers={"content-type": "multipart/form-data"}
            ),
            "a bug": await http.get("/broken"),
        }
    statuses = {label: response.status_code for label, response in answers.items()}
    assert statuses == {
        "no route": 404,
        "wrong method": 405,
        "invalid UTF-8": 400,
        "too deep": 400,
        "broken multipart": 400,
        "a bug": 500,
    }
    for label, response in answers.items():
        assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE, label
        assert response.json()["status"] == response.status_code and response.json()["message_vi"], label
    assert answers["wrong method"].headers["allow"] == "POST"
    assert answers["a bug"].headers["connection"] == "close"


async def test_a_problems_own_headers_are_sent_and_hooks_run_around_the_apps_life(database):
    class Locked(Problem):
        status, code = 423, "locked"

        def __init__(self) -> None:
            super().__init__("Tạm khoá", "Locked")
            self.headers = {"Retry-After": "30", "Cache-Control": "no-store"}

    router = APIRouter()

    @router.get("/locked")
    async def locked() -> dict:
        raise Locked()

    happened: list[str] = []

    async def note(what: str) -> None:
        happened.append(what)

    app = create_service_app(
        ServiceSettings(service_name="chassis-test"),
        database,
        [router],
        title="test",
        on_startup=[lambda: note("started")],
        on_shutdown=[lambda: note("stopping"), lambda: note("stopped")],
    )
    async with app.router.lifespan_context(app):
        assert happened == ["started"]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.get("/locked")
            ready = await http.get("/ready")
    assert happened == ["started", "stopping", "stopped"]
    assert response.status_code == 423 and response.json()["code"] == "locked"
    assert (response.headers["retry-after"], response.headers["cache-control"]) == ("30", "no-store")
    assert ready.status_code == 200 and ready.json() == {"ready": True, "database": True}
