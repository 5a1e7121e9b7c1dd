"""Keeping reporting's read model current: the consumer's use cases, a poll of events at a time.

Each runs in the consumer's transaction: the members' rows are locked, the poll is folded in the domain
(`domain/facts.py`) and its effects written with one statement per table. Unit events keep the tree replica, the
tree's history and, when a subtree moves or a unit's profile changes, the figures along the tree's paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from chassis.tree import apply_unit_state, apply_unit_states
from contracts.events.cards_card_v1 import HOLDER_CARD_STATUS
from contracts.events.orgtree_unit_v1 import UnitState
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.dues import DuesRepository
from reporting.adapters.figures import FigureRepository
from reporting.adapters.repository import MemberFactRepository
from reporting.application.figures import today
from reporting.domain import dues, facts, units
from reporting.domain.figures import UnitProfile


async def apply_member_changes(session: AsyncSession, changes: Sequence[facts.MemberChange]) -> None:
    """Member events, in event order: facts, ledger, counts and figures."""
    figures = FigureRepository(session)
    await figures.share_tree()
    repository = MemberFactRepository(session)
    member_ids = list({change.member_id for change in changes})
    card_statuses = await repository.lock_card_statuses(member_ids)
    known = await repository.lock_facts(member_ids)
    units = await figures.unit_profiles(change.unit_id for change in changes)
    await repository.write_member_changes(facts.apply_member_changes(known, card_statuses, changes, units))


async def follow_cards(session: AsyncSession, steps: Iterable[tuple[UUID, str, date]]) -> None:
    """Card steps (member id, card status, day), in event order: the card status of each member's count."""
    await FigureRepository(session).share_tree()
    # Card events are keyed by member, so they arrive in order: the latest one of each member wins.
    wanted: dict[UUID, str] = {}
    days: dict[UUID, date] = {}
    for member_id, status, day in steps:
        wanted[member_id], days[member_id] = HOLDER_CARD_STATUS[status], day
    repository = MemberFactRepository(session)
    await repository.set_card_statuses(wanted)
    await repository.write_card_changes(facts.follow_cards(await repository.lock_facts(list(wanted)), wanted, days))


async def apply_dues(
    session: AsyncSession,
    records: Sequence[tuple[UUID, date, dues.DuesMonth]],
    remittances: Sequence[tuple[UUID, dues.Remittance]] = (),
) -> None:
    """Dues records (unit, month, amounts) and remittances (id, state), in event order: each unit's latest month
    and each remittance's latest state, and their subtrees' sums."""
    await FigureRepository(session).share_tree()
    repository = DuesRepository(session)
    stored = await repository.lock_months([(unit_id, month) for unit_id, month, _ in records])
    known = await repository.lock_remittances([remittance_id for remittance_id, _ in remittances])
    await repository.write(
        *dues.fold(stored, (((unit_id, month), amounts) for unit_id, month, amounts in records)),
        *dues.fold_remittances(known, remittances),
    )


async def apply_unit_changes(session: AsyncSession, states: Sequence[UnitState]) -> None:
    """Unit events, in event order: the tree replica, the tree's history, and the figures of moved subtrees (from
    the move's effective day) and of units whose profile changed."""
    figures = FigureRepository(session)
    await figures.lock_tree()
    unit_ids = list(dict.fromkeys(state.unit_id for state in states))
    replica = await figures.replica_units(unit_ids)
    history = await figures.current_versions(unit_ids)
    parent = {unit_id: parent_id for unit_id, (parent_id, _) in replica.items()}
    version = {unit_id: known_version for unit_id, (_, known_version) in replica.items()}
    fresh: list[UnitState] = []
    moves = False
    for state in states:
        if state.version <= max(version.get(state.unit_id, 0), history.get(state.unit_id, (0,))[0]):
            continue
        moves |= state.unit_id in parent and parent[state.unit_id] != state.parent_id
        parent[state.unit_id], version[state.unit_id] = state.parent_id, state.version
        fresh.append(state)
    if not moves:
        await apply_unit_states(session, fresh)
    else:
        # A move re-attributes figures along the paths before and after it: one event at a time, in order.
        for state in fresh:
            before = await figures.ancestors(state.unit_id)
            if await apply_unit_state(session, state) and state.unit_id in replica:
                after = await figures.ancestors(state.unit_id)
                await figures.move_subtree(state.unit_id, before - after, after - before, state.effective_from)
    await figures.add_versions(fresh)
    # Units new to the replica start unknown (None); units the replica had before the history was kept are left out.
    known = {
        unit_id: history[unit_id][2] if unit_id in history else None
        for unit_id in unit_ids
        if unit_id in history or unit_id not in replica
    }
    unit_figures, unit_flows = units.unit_changes(known, fresh)
    await figures.add_figures(unit_figures, opens_ledger=False)
    if unit_flows:
        await figures.add_movements(unit_flows)
    # Members' events may overtake their unit's: what they brought before it arrived goes up the tree now.
    arrived = [unit_id for unit_id in unit_ids if unit_id not in replica and unit_id in version]
    if arrived:
        await figures.place_new_units(arrived)
    changed: dict[UUID, tuple[UnitProfile, date]] = {}
    for state in fresh:
        profile = UnitProfile(state.enterprise_type, state.sector, state.workforce_size)
        was = changed[state.unit_id][0] if state.unit_id in changed else history.get(state.unit_id, (0, None))[1]
        if state.unit_id in replica and profile != was:
            changed[state.unit_id] = (profile, state.effective_from)
        elif state.unit_id not in replica:
            # Members counted before their unit arrived were counted without its profile: from today on, with it
            # (a member's earlier days keep "not known"; a unit's effective day may be long before them).
            changed[state.unit_id] = (profile, today())
    await figures.recount_members(changed)
