"""Building member lists the way real users send them, and running the import worker in tests."""

from __future__ import annotations

import io
from datetime import date

import pytest
import xlsxwriter
from members.application.importing.processor import ImportProcessor, SimulatedCrash
from members.config import MembersSettings

HEADERS = ["Họ và tên", "Giới tính", "Ngày sinh", "Số CCCD/CMND", "Số điện thoại", "Chức vụ công đoàn"]


def xlsx(rows: list[list], headers: list[str] | None = HEADERS, before: list[list] | None = None) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("DS")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    at = 0
    for row in before or []:
        sheet.write_row(at, 0, row)
        at += 1
    if headers:
        sheet.write_row(at, 0, headers)
        at += 1
    for row in rows:
        for column, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(at, column, value, date_format)
            elif value is not None:
                sheet.write(at, column, value)
        at += 1
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list], headers: list[str] = HEADERS, bom: bool = True, delimiter: str = ",") -> bytes:
    lines = [delimiter.join(headers)] + [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode()


async def upload(
    registry,
    content: bytes,
    name: str = "danh-sach.xlsx",
    unit: str = "HNI-1",
    mode: str | None = "valid_rows_only",
    who: dict | None = None,
):
    data = {"unit_id": str(registry.units[unit])}
    if mode:
        data["mode"] = mode
    return await registry.http.post(
        "/api/v1/members/imports",
        data=data,
        files={"file": (name, content)},
        headers=who or registry.as_("data_entry", unit),
    )


def settings_for(registry, **overrides) -> MembersSettings:
    return MembersSettings(database_url=registry.url, **overrides)


async def process(registry, **overrides) -> None:
    crash = overrides.pop("crash_after_chunks", None)
    await ImportProcessor(registry.db, settings_for(registry, **overrides), crash_after_chunks=crash).run_once()


async def crash_midway(registry, crash_after_chunks: int, **overrides) -> None:
    """Run the worker until it dies after `crash_after_chunks` committed chunks; fails if it does not."""
    with pytest.raises(SimulatedCrash):
        await process(registry, crash_after_chunks=crash_after_chunks, **overrides)


async def imported(registry, content: bytes, **kwargs) -> dict:
    """Upload, let the worker run, return the import as the API shows it."""
    response = await upload(registry, content, **kwargs)
    assert response.status_code in (200, 202), response.text
    await process(registry)
    seen = await registry.http.get(
        f"/api/v1/members/imports/{response.json()['import_id']}",
        headers=registry.as_("data_entry", kwargs.get("unit", "HNI-1")),
    )
    return seen.json()


async def rows_of(registry, import_id: str, only: str = "all", unit: str = "HNI-1") -> list[dict]:
    response = await registry.http.get(
        f"/api/v1/members/imports/{import_id}/rows", params={"only": only}, headers=registry.as_("data_entry", unit)
    )
    return response.json()
