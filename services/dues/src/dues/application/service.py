"""Dues use cases: record (or correct) a unit's month, read records and the subtree's totals, set policy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from chassis import tree
from chassis.errors import Conflict, FieldError, InvalidInput, NotFound, RuleViolation
from chassis.ids import uuid7
from chassis.outbox import record_events
from chassis.principal import Principal
from chassis.scope import ensure_in_scope
from contracts.events.dues_collection_v1 import DuesMonthRecorded, DuesMonthSnapshot
from contracts.permissions import Permission
from contracts.wellknown import NATIONAL_CENTRE_ID
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from dues.adapters.repository import (
    ArrearsRepository,
    CollectionRepository,
    DuesPayerRepository,
    PolicyRepository,
)
from dues.domain.model import (
    PAYING_STATUSES,
    STANDARD_EXEMPTIONS,
    SUSPENDED,
    DuesMonth,
    DuesPolicy,
    ExemptionReason,
    outcome,
    policy_for,
    policy_start,
    today_in_vietnam,
)


@dataclass(frozen=True)
class PaymentLine:
    member_id: UUID
    salary_vnd: int | None
    paid_vnd: int | None
    exemption: str | None


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def collection_not_found(collection_id: UUID) -> NotFound:
    return NotFound(
        f"Không tìm thấy bản ghi đoàn phí {collection_id} trong phạm vi quản lý của bạn",
        f"No dues record {collection_id} within your scope",
        code="dues-record-not-found",
        field="collection_id",
    )


def month_already_recorded(month: date, live_id: UUID | None) -> Conflict:
    return Conflict(
        f"Tháng {month:%m/%Y} của đơn vị đã được ghi nhận; để sửa, gửi kèm corrects_id",
        f"{month:%Y-%m} is recorded already for this unit; send corrects_id to correct it",
        code="month-already-recorded",
        field="corrects_id",
        extra={"collection_id": str(live_id)} if live_id else None,
    )


def _line_problem(
    index: int,
    payer: Row | None,
    line: PaymentLine,
    month: date,
    policy: DuesPolicy,
    above_norm_decision: str | None,
) -> FieldError | None:
    field = f"lines[{index}]"
    norm = policy.norm_vnd(line.salary_vnd or 0)
    if line.exemption is not None and line.exemption not in policy.exemption_codes:
        reasons = ", ".join(f"{reason.code} ({reason.name})" for reason in policy.exemption_reasons)
        return FieldError(
            f"{field}.exemption",
            "exemption-not-in-policy",
            f"Lý do miễn '{line.exemption}' không có trong quy định áp dụng cho tháng {month:%m/%Y}; "
            f"các lý do được miễn: {reasons}",
            f"'{line.exemption}' is not an exemption reason of the policy in force in {month:%Y-%m}; "
            f"its reasons: {', '.join(sorted(policy.exemption_codes))}",
        )
    if payer is None:
        return FieldError(
            f"{field}.member_id",
            "member-not-in-unit",
            f"Đoàn viên không thuộc đơn vị này trong tháng {month:%m/%Y} (đoàn phí do công đoàn cơ sở "
            "của đoàn viên ghi nhận)",
            f"Member {line.member_id} did not belong to this unit in {month:%Y-%m}",
        )
    if payer.status == "suspended" and line.exemption not in (None, "suspended"):
        return FieldError(
            f"{field}.exemption",
            "suspended-member",
            f"Đoàn viên {payer.full_name} đang tạm dừng sinh hoạt: không thu đoàn phí",
            "A suspended member pays no dues; record the exemption 'suspended'",
        )
    if payer.status not in PAYING_STATUSES:
        return FieldError(
            f"{field}.member_id",
            "member-not-paying",
            f"Đoàn viên {payer.full_name} không ở trạng thái đóng đoàn phí trong tháng {month:%m/%Y}",
            f"Member {line.member_id} was {payer.status} in {month:%Y-%m}: no dues are recorded",
        )
    if payer.status == "active" and line.exemption == "suspended":
        return FieldError(
            f"{field}.exemption",
            "not-suspended",
            f"Đoàn viên {payer.full_name} không tạm dừng sinh hoạt",
            "The member is not suspended",
        )
    if (line.exemption or payer.status == "suspended") and line.paid_vnd:
        return FieldError(
            f"{field}.paid_vnd",
            "exempt-but-paid",
            f"Đoàn viên {payer.full_name} được miễn trong tháng: không ghi số tiền đã đóng",
            "An exempt member pays nothing that month; leave paid_vnd out",
        )
    if line.exemption is None and payer.status == "active" and line.salary_vnd is None and line.paid_vnd != 0:
        return FieldError(
            f"{field}.salary_vnd",
            "salary-required",
            "Cần tiền lương làm căn cứ đóng đoàn phí (hoặc ghi lý do miễn, hoặc số đã đóng là 0)",
            "The salary the dues are based on is required (or an exemption, or paid_vnd 0)",
        )
    if line.paid_vnd and line.salary_vnd is not None and line.paid_vnd > line.salary_vnd:
        return FieldError(
            f"{field}.paid_vnd",
            "paid-above-salary",
            f"Số đã đóng ({vnd(line.paid_vnd)}) lớn hơn tiền lương ({vnd(line.salary_vnd)}): không hợp lý",
            "The amount paid exceeds the member's salary",
        )
    if line.paid_vnd and line.paid_vnd > norm and not above_norm_decision:
        return FieldError(
            f"{field}.paid_vnd",
            "above-norm-without-decision",
            f"Số đã đóng ({vnd(line.paid_vnd)}) vượt mức quy định ({vnd(norm)}): cần ghi quyết định "
            "của công đoàn cơ sở về mức đóng cao hơn (above_norm_decision)",
            f"The amount paid exceeds the norm of {norm} VND; record the unit's decision (above_norm_decision)",
        )
    return None


def _missing_line(collection_id: UUID, payer: Row, policy: DuesPolicy, salary: int | None) -> dict:
    """An accountable member the unit left out: unpaid on their latest known salary, or exempt if suspended."""
    if payer.status == "suspended":
        return {
            "collection_id": collection_id,
            "member_id": payer.member_id,
            "salary_vnd": None,
            "norm_vnd": 0,
            "paid_vnd": 0,
            "upper_share_vnd": 0,
            "exemption": "suspended",
        }
    return {
        "collection_id": collection_id,
        "member_id": payer.member_id,
        "salary_vnd": salary,
        "norm_vnd": policy.norm_vnd(salary or 0),
        "paid_vnd": 0,
        "upper_share_vnd": 0,
        "exemption": None,
    }


class DuesService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.collections = CollectionRepository(session)

    async def month_of_unit(
        self, principal: Principal, unit_id: UUID, month: date, today: date | None = None
    ) -> tuple[DuesPolicy, dict[UUID, Row]]:
        """The month's policy and the unit's members at its end (by id), once the unit may record the month."""
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, unit_id)
        if not await self.collections.may_collect_dues(unit_id):
            raise RuleViolation(
                "Loại đơn vị này không thu đoàn phí",
                "Units of this type do not collect dues",
                code="unit-cannot-collect-dues",
                field="unit_id",
            )
        if month > (today or today_in_vietnam()).replace(day=1):
            raise RuleViolation(
                "Không thể ghi nhận đoàn phí cho tháng chưa đến",
                "The month has not begun",
                code="month-in-future",
                field="month",
            )
        policy = policy_for(month, await PolicyRepository(self.session).all())
        if policy is None:
            raise RuleViolation(
                "Chưa có quy định mức đoàn phí cho tháng này",
                "No dues policy covers this month",
                code="no-policy-for-month",
                field="month",
            )
        # Every member of the unit at the month's end is accounted for: those left out are recorded unpaid.
        return policy, {
            row.member_id: row for row in await DuesPayerRepository(self.session).at_month_end(unit_id, month)
        }

    async def record(
        self,
        principal: Principal,
        unit_id: UUID,
        month: date,
        lines: list[PaymentLine],
        corrects_id: UUID | None,
        today: date | None = None,
        above_norm_decision: str | None = None,
    ) -> DuesMonth:
        """Ghi nhận đoàn phí tháng: every line checked, all or nothing; the shares computed under the month's
        policy; every member of the unit at the month's end accounted for (left out: unpaid). A month may be
        recorded late; one already recorded is corrected only by naming the record it replaces."""
        policy, payers = await self.month_of_unit(principal, unit_id, month, today)
        errors = [
            problem
            for index, line in enumerate(lines)
            if (
                problem := _line_problem(
                    index,
                    payers.get(line.member_id),
                    line,
                    month,
                    policy,
                    above_norm_decision,
                )
            )
            is not None
        ]
        if errors:
            raise RuleViolation(
                f"Có {len(errors)} dòng không hợp lệ; không ghi nhận dòng nào. {errors[0].message_vi}",
                f"{len(errors)} line(s) are invalid; nothing was recorded. {errors[0].message_en}",
                code="dues-lines-refused",
                field=errors[0].field,
                errors=errors,
            )
        live = await self.collections.live(principal, unit_id, month)
        if live is not None and corrects_id != live.collection_id:
            raise month_already_recorded(month, live.collection_id)
        if live is None and corrects_id is not None:
            raise RuleViolation(
                "Không có bản ghi hiện hành nào của tháng này để sửa",
                "There is no live record of this month to correct",
                code="nothing-to-correct",
                field="corrects_id",
            )
        now = datetime.now(UTC)
        collection_id = uuid7()
        submitted = {line.member_id for line in lines}
        left_out = [
            payer
            for member_id, payer in payers.items()
            if member_id not in submitted and payer.status in PAYING_STATUSES
        ]
        # Recorded unpaid without a salary: what they owe follows their latest known salary.
        last_salaries = await DuesPayerRepository(self.session).last_salaries(
            [line.member_id for line in lines if line.salary_vnd is None and not line.exemption]
            + [payer.member_id for payer in left_out if payer.status != "suspended"],
            month,
        )
        rows = []
        for line in lines:
            payer = payers[line.member_id]
            exemption = line.exemption or ("suspended" if payer.status == "suspended" else None)
            salary = line.salary_vnd if line.salary_vnd is not None or exemption else last_salaries.get(line.member_id)
            norm = 0 if exemption else policy.norm_vnd(salary or 0)
            paid = 0 if exemption else (norm if line.paid_vnd is None else line.paid_vnd)
            rows.append(
                {
                    "collection_id": collection_id,
                    "member_id": line.member_id,
                    "salary_vnd": salary,
                    "norm_vnd": norm,
                    "paid_vnd": paid,
                    "upper_share_vnd": policy.upper_share_vnd(paid, norm),
                    "exemption": exemption,
                }
            )
        rows += [_missing_line(collection_id, payer, policy, last_salaries.get(payer.member_id)) for payer in left_out]
        outcomes = Counter(outcome(r["paid_vnd"], r["norm_vnd"], r["exemption"]) for r in rows)
        collected, upper = sum(r["paid_vnd"] for r in rows), sum(r["upper_share_vnd"] for r in rows)
        if live is not None:
            await self.collections.supersede(live.collection_id, now)
        recorded = await self.collections.add(
            {
                "collection_id": collection_id,
                "unit_id": unit_id,
                "month": month,
                "status": "recorded",
                "policy_from": policy.effective_from,
                "members_paid": outcomes["paid"] + outcomes["part_paid"],
                "members_part_paid": outcomes["part_paid"],
                "members_unpaid": outcomes["unpaid"],
                "members_exempt": outcomes["exempt"],
                "collected_vnd": collected,
                "norm_vnd": sum(r["norm_vnd"] for r in rows),
                "upper_share_vnd": upper,
                "grassroots_share_vnd": collected - upper,
                "owed_vnd": sum(r["norm_vnd"] - min(r["paid_vnd"], r["norm_vnd"]) for r in rows),
                "above_norm_decision": above_norm_decision,
                "corrects_id": corrects_id,
                "recorded_by": principal.username,
                "recorded_at": now,
            },
            rows,
        )
        if recorded is None:  # another officer recorded the same month a moment ago
            raise month_already_recorded(month, None)
        await ArrearsRepository(self.session).follow_record(collection_id, live.collection_id if live else None)
        snapshot = DuesMonthSnapshot(**{name: getattr(recorded, name) for name in DuesMonthSnapshot.model_fields})
        await record_events(self.session, [DuesMonthRecorded(unit_id=unit_id, collection=snapshot)])
        return recorded

    async def get(self, principal: Principal, collection_id: UUID) -> tuple[DuesMonth, list[Row]]:
        collection = await self.collections.get(principal, collection_id)
        if collection is None:
            raise collection_not_found(collection_id)
        return collection, await self.collections.lines(collection_id)

    async def month_document(
        self, principal: Principal, collection_id: UUID
    ) -> tuple[DuesMonth, str, list[Row], dict[str, str]]:
        """A recorded month with its unit's name and its policy's exemption reasons by code, for the spreadsheet."""
        collection, lines = await self.get(principal, collection_id)
        unit = await tree.get_unit(self.session, collection.unit_id)
        policy = policy_for(collection.month, await PolicyRepository(self.session).all())
        names = {reason.code: reason.name for reason in policy.exemption_reasons} if policy else {}
        return collection, unit.name if unit is not None else str(collection.unit_id), lines, names

    async def month_summary(self, principal: Principal, unit_id: UUID, month: date) -> dict:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        totals = await self.collections.month_totals(principal, unit_id, month)
        return totals | {
            "unit_id": unit_id,
            "month": month,
            "units_collecting": await self.collections.collecting_units(unit_id),
        }

    async def arrears_summary(self, principal: Principal, unit_id: UUID) -> dict:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        return await ArrearsRepository(self.session).summary(principal, unit_id) | {"unit_id": unit_id}

    async def arrears_members(
        self, principal: Principal, unit_id: UUID, after: tuple[UUID, UUID] | None, limit: int | None
    ) -> list[Row]:
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        return await ArrearsRepository(self.session).members(principal, unit_id, after, limit)

    async def member_arrears(self, principal: Principal, member_id: UUID) -> tuple[Row, list[Row]]:
        payer, months = await ArrearsRepository(self.session).of_member(principal, member_id)
        if payer is None:
            raise NotFound(
                f"Không tìm thấy đoàn viên {member_id} trong phạm vi quản lý của bạn",
                f"No member {member_id} within your scope",
                code="member-not-found",
                field="member_id",
            )
        return payer, months

    async def year_summary(
        self, principal: Principal, unit_id: UUID, year: int, today: date | None = None
    ) -> tuple[str, list[dict]]:
        """The unit's name and the subtree's summary of each month of a year, up to the current month."""
        await ensure_in_scope(self.session, principal, Permission.DUES_READ, unit_id)
        current = (today or today_in_vietnam()).replace(day=1)
        collecting = await self.collections.collecting_units(unit_id)
        sums = await self.collections.year_totals(principal, unit_id, year)
        empty = {
            "units_reported": 0,
            "members_paid": 0,
            "members_exempt": 0,
            "members_part_paid": 0,
            "members_unpaid": 0,
            "owed_vnd": 0,
            "collected_vnd": 0,
            "norm_vnd": 0,
            "upper_share_vnd": 0,
            "grassroots_share_vnd": 0,
        }
        months = [date(year, number, 1) for number in range(1, 13) if date(year, number, 1) <= current]
        unit = await tree.get_unit(self.session, unit_id)
        return (
            unit.name if unit is not None else str(unit_id),
            [{**empty, **sums.get(month, {}), "month": month, "units_collecting": collecting} for month in months],
        )

    async def add_policy(self, principal: Principal, values: dict) -> None:
        """A new policy (rates, shares, exemption reasons) from a month's first day. Without a list of exemption
        reasons it carries the list of the policy in force before it; `suspended` is always on the list."""
        # Rates and shares are national decisions (Tổng Liên đoàn).
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, NATIONAL_CENTRE_ID)
        try:
            policy_start(values["effective_from"])
        except ValueError:
            raise InvalidInput(
                "Quy định áp dụng từ ngày đầu tháng",
                "A policy starts on the first day of a month",
                code="policy-not-on-first",
                field="effective_from",
            ) from None
        policies = PolicyRepository(self.session)
        reasons = values.pop("exemption_reasons", None)
        if reasons is None:
            before = policy_for(values["effective_from"], await policies.all())
            reasons = list(before.exemption_reasons) if before else list(STANDARD_EXEMPTIONS)
        else:
            reasons = [ExemptionReason(**reason) for reason in reasons]
        if SUSPENDED.code not in {reason.code for reason in reasons}:
            reasons.append(SUSPENDED)
        policy = DuesPolicy(**values, exemption_reasons=tuple(reasons), created_by=principal.username)
        if not await policies.add(policy):
            raise Conflict(
                f"Đã có quy định áp dụng từ {values['effective_from']:%d/%m/%Y}; quy định không sửa "
                "được, hãy thêm quy định áp dụng từ ngày khác",
                f"A policy already starts on {values['effective_from']}; policies are never edited",
                code="policy-exists",
                field="effective_from",
            )

    async def set_exemption_reasons(
        self, principal: Principal, effective_from: date, reasons: list[dict], today: date | None = None
    ) -> None:
        """The exemption reasons of a policy, named again or added to; one taken off only while the policy is not in
        force (no month under it can have been recorded: a month in the future is refused), so that no recorded line
        names a reason its policy no longer lists. `suspended` stays on every list."""
        await ensure_in_scope(self.session, principal, Permission.DUES_WRITE, NATIONAL_CENTRE_ID)
        policies = PolicyRepository(self.session)
        policy = next((p for p in await policies.all() if p.effective_from == effective_from), None)
        if policy is None:
            raise NotFound(
                f"Không có quy định áp dụng từ {effective_from:%d/%m/%Y}",
                f"No policy starts on {effective_from}",
                code="policy-not-found",
                field="effective_from",
            )
        listed = [ExemptionReason(**reason) for reason in reasons]
        if SUSPENDED.code not in {reason.code for reason in listed}:
            listed.append(SUSPENDED)
        removed = sorted(policy.exemption_codes - {reason.code for reason in listed})
        if removed and effective_from <= (today or today_in_vietnam()):
            raise Conflict(
                f"Quy định đã áp dụng từ {effective_from:%d/%m/%Y}: không bỏ được lý do miễn "
                f"{', '.join(removed)} (các tháng đã ghi nhận có thể dùng); hãy thêm quy định mới",
                f"The policy is in force since {effective_from}: reasons {', '.join(removed)} cannot be taken off "
                "(recorded months may name them); add a new policy instead",
                code="exemption-reason-in-force",
                field="exemption_reasons",
            )
        await policies.set_exemption_reasons(effective_from, tuple(listed))
