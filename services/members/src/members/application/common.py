"""What every use case of the members service shares: the event source and the usual problems."""

from __future__ import annotations

from uuid import UUID

from chassis import tree
from chassis.errors import Conflict, NotFound, RuleViolation
from sqlalchemy.ext.asyncio import AsyncSession

SYSTEM = "system"


def member_not_found(member_id: UUID) -> NotFound:
    return NotFound(f"Không tìm thấy đoàn viên {member_id}", f"Member {member_id} not found", field="member_id")


def changed_meanwhile(member_id: UUID) -> Conflict:
    return Conflict(
        "Hồ sơ đoàn viên vừa được người khác thay đổi; hãy tải lại và thử lại",
        f"Member {member_id} was changed by someone else meanwhile; reload and retry",
        code="stale-member",
        field="member_id",
    )


async def unit_that_admits(session: AsyncSession, unit_id: UUID, field: str = "unit_id"):
    """The replica row of a unit that may hold members, or the problem why it may not."""
    unit = await tree.get_unit(session, unit_id)
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị {unit_id}", f"Unit {unit_id} not found", field=field)
    if unit.status != "active" or not unit.can_admit_members:
        raise RuleViolation(
            f"Đơn vị {unit.name} không được kết nạp đoàn viên",
            f"Unit {unit.code} cannot admit members",
            code="unit-cannot-admit",
            field=field,
        )
    return unit
