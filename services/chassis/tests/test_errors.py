"""Errors render as RFC 9457 problem+json, in Vietnamese and English, through a real service app."""

from __future__ import annotations

import httpx
import pytest
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
from chassis.http import create_service_app
from chassis.settings import ServiceSettings
from fastapi import APIRouter
from pydantic import BaseModel, Field

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
