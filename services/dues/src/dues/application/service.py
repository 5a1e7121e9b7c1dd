"""Dues use cases: record (or correct) a unit's month, read records and the subtree's totals, set policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from chassis.errors import Conflict, FieldError, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.dues_collection_v1 import DuesMonthRecorded, DuesMonthSnapshot
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.repository import CollectionRepository, DuesPayerRepository, PolicyRepository
from dues.domain.model import policy_for

SOURCE = "/services/dues"


@dataclass(frozen=True)
class PaymentLine:
    member_id: UUID
    salary_vnd: int | None
    paid_vnd: int | None
    exemption: str | None


def collection_not_found(collection_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy bản ghi đoàn phí {collection_id} trong phạm vi quản lý của bạn",
                    f"No dues record {collection_id} within your scope", code="dues-record-not-found",
                    field="collection_id")


def month_already_recorded(month: date, live_id: UUID | None) -> Conflict:
    return Conflict(f"Tháng {month:%m/%Y} của đơn vị đã được ghi nhận; để sửa, gửi kèm corrects_id",
                    f"{month:%Y-%m} is recorded already for this unit; send corrects_id to correct it",
                    code="month-already-recorded", field="corrects_id",
                    extra={"collection_id": str(live_id)} if live_id else None)


def _line_problem(index: int, payer: Row | None, line: PaymentLine) -> FieldError | None:
    field = f"lines[{index}]"
    if payer is None:
        return FieldError(f"{field}.member_id", "member-not-in-unit",
                          "Đoàn viên không thuộc đơn vị này (đoàn phí do công đoàn cơ sở của đoàn viên ghi nhận)",
                          f"Member {line.member_id} does not belong to this unit")
    if payer.status == "suspended" and line.exemption not in (None, "suspended"):
        return FieldError(f"{field}.exemption", "suspended-member",
                          f"Đoàn viên {payer.full_name} đang tạm dừng sinh hoạt: không thu đoàn phí",
                          "A suspended member pays no dues; record the exemption 'suspended'")
    if payer.status not in ("active", "suspended"):
        return FieldError(f"{field}.member_id", "member-not-paying",
                          f"Đoàn viên {payer.full_name} không ở trạng thái đóng đoàn phí",
                          f"Member {line.member_id} is {payer.status}: no dues are recorded")
    if payer.status == "active" and line.exemption == "suspended":
        return FieldError(f"{field}.exemption", "not-suspended",
                          f"Đoàn viên {payer.full_name} không tạm dừng sinh hoạt",
                          "The member is not suspended")
    if payer.status == "active" and line.exemption is None and line.salary_vnd is None:
        return FieldError(f"{field}.salary_vnd", "salary-required",
                          "Cần tiền lương làm căn cứ đóng đoàn phí (hoặc ghi lý do miễn)",
                          "The salary the dues are based on is required (or an exemption)")
    return None


class DuesService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.collections = CollectionRepository(session)

    async def record(self, principal: Principal, unit_id: UUID, month: date, lines: list[PaymentLine],
                     corrects_id: UUID | None, today: date | None = None) -> Row:
        """Ghi nhận đoàn phí tháng: every line checked, all or nothing; the shares computed under the month's
        policy. A month already recorded is corrected only by naming the record it replaces."""
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, unit_id)
        if not await self.collections.may_collect_dues(unit_id):
            raise RuleViolation("Loại đơn vị này không thu đoàn phí",
                                "Units of this type do not collect dues",
                                code="unit-cannot-collect-dues", field="unit_id")
        if month > (today or date.today()).replace(day=1):
            raise RuleViolation("Không thể ghi nhận đoàn phí cho tháng chưa đến", "The month has not begun",
                                code="month-in-future", field="month")
        policy = policy_for(month, await PolicyRepository(self.session).rules())
        if policy is None:
            raise RuleViolation("Chưa có quy định mức đoàn phí cho tháng này", "No dues policy covers this month",
                                code="no-policy-for-month", field="month")
        payers = {row.member_id: row for row in await DuesPayerRepository(self.session).of_unit(
            principal, unit_id, [line.member_id for line in lines])}
        errors = [problem for index, line in enumerate(lines)
                  if (problem := _line_problem(index, payers.get(line.member_id), line)) is not None]
        if errors:
            raise RuleViolation(
                f"Có {len(errors)} dòng không hợp lệ; không ghi nhận dòng nào. {errors[0].message_vi}",
                f"{len(errors)} line(s) are invalid; nothing was recorded. {errors[0].message_en}",
                code="dues-lines-refused", field=errors[0].field, errors=errors)
        live = await self.collections.live(principal, unit_id, month)
        if live is not None and corrects_id != live.collection_id:
            raise month_already_recorded(month, live.collection_id)
        if live is None and corrects_id is not None:
            raise RuleViolation("Không có bản ghi hiện hành nào của tháng này để sửa",
                                "There is no live record of this month to correct", code="nothing-to-correct",
                                field="corrects_id")
        now = datetime.now(UTC)
        collection_id = uuid7()
        rows = []
        for line in lines:
            exemption = line.exemption or ("suspended" if payers[line.member_id].status == "suspended" else None)
            norm = 0 if exemption else policy.norm_vnd(line.salary_vnd or 0)
            paid = 0 if exemption else (norm if line.paid_vnd is None else line.paid_vnd)
            rows.append({"collection_id": collection_id, "member_id": line.member_id, "salary_vnd": line.salary_vnd,
                         "norm_vnd": norm, "paid_vnd": paid, "upper_share_vnd": policy.upper_share_vnd(paid, norm),
                         "exemption": exemption})
        collected, upper = sum(r["paid_vnd"] for r in rows), sum(r["upper_share_vnd"] for r in rows)
        if live is not None:
            await self.collections.supersede(live.collection_id, now)
        recorded = await self.collections.add({
            "collection_id": collection_id, "unit_id": unit_id, "month": month, "status": "recorded",
            "policy_from": policy.effective_from,
            "members_paid": sum(1 for r in rows if not r["exemption"]),
            "members_exempt": sum(1 for r in rows if r["exemption"]),
            "collected_vnd": collected, "norm_vnd": sum(r["norm_vnd"] for r in rows), "upper_share_vnd": upper,
            "grassroots_share_vnd": collected - upper, "corrects_id": corrects_id,
            "recorded_by": principal.username, "recorded_at": now,
        }, rows)
        if recorded is None:  # another officer recorded the same month a moment ago
            raise month_already_recorded(month, None)
        snapshot = DuesMonthSnapshot(**{name: recorded._mapping[name] for name in DuesMonthSnapshot.model_fields})
        await record_events(self.session, [DuesMonthRecorded(unit_id=unit_id, collection=snapshot)], SOURCE)
        return recorded

    async def get(self, principal: Principal, collection_id: UUID) -> tuple[Row, list[Row]]:
        collection = await self.collections.get(principal, collection_id)
        if collection is None:
            raise collection_not_found(collection_id)
        return collection, await self.collections.lines(collection_id)

    async def month_summary(self, principal: Principal, unit_id: UUID, month: date) -> dict:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        totals = await self.collections.month_totals(principal, unit_id, month)
        return dict(totals._mapping) | {"unit_id": unit_id, "month": month,
                                        "units_collecting": await self.collections.collecting_units(unit_id)}

    async def add_policy(self, principal: Principal, values: dict) -> None:
        # Rates and shares are national decisions (Tổng Liên đoàn).
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, NATIONAL_CENTRE_ID)
        if not await PolicyRepository(self.session).add(values | {"created_by": principal.username}):
            raise Conflict(f"Đã có quy định áp dụng từ {values['effective_from']:%d/%m/%Y}; quy định không sửa "
                           "được, hãy thêm quy định áp dụng từ ngày khác",
                           f"A policy already starts on {values['effective_from']}; policies are never edited",
                           code="policy-exists", field="effective_from")
