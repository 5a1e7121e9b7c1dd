"""How a poll of member and card events moves reporting's figures (the domain, no database)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date

from reporting.domain.facts import PROFILE_FIELDS, Fact, MemberChange, apply_member_changes, follow_cards
from reporting.domain.figures import values_of

A, B = uuid.uuid4(), uuid.uuid4()
DAY = date(2025, 10, 1)


def change(member_id, version, status="active", unit_id=A, day=DAY) -> MemberChange:
    return MemberChange(uuid.uuid4(), day, member_id, unit_id, status, "female", False, version)


def fact(member_id, version, status="active", unit_id=A, card_status="none") -> Fact:
    return Fact(member_id, unit_id, status, "female", False, card_status, version)


def test_every_event_of_a_poll_reaches_the_ledger_and_each_count_moves_once():
    member = uuid.uuid4()
    poll = [
        change(member, 1, "pending"),
        change(member, 2, "active", day=date(2025, 10, 2)),
        change(member, 3, "suspended", day=date(2025, 10, 5)),
        change(member, 4, "active", day=date(2025, 10, 9)),
    ]

    effects = apply_member_changes({}, {}, poll)

    assert [(entry.event_id, entry.occurred_on, entry.kind, entry.delta) for entry in effects.ledger] == [
        (poll[1].event_id, date(2025, 10, 2), "admitted", 1),
        (poll[2].event_id, date(2025, 10, 5), "suspended", 0),
        (poll[3].event_id, date(2025, 10, 9), "resumed", 0),
    ]
    assert effects.facts == {member: fact(member, 4)}
    assert effects.counts == {(A, "active", "female", False, "none"): 1}


def test_a_change_not_newer_than_the_fact_is_skipped():
    member = uuid.uuid4()
    known = {member: fact(member, 3)}

    effects = apply_member_changes(known, {}, [change(member, 2, "removed"), change(member, 3, "removed")])
    assert (effects.facts, effects.ledger, effects.counts) == ({}, [], {})

    effects = apply_member_changes(known, {}, [change(member, 4, "active", unit_id=B)])
    assert [(e.unit_id, e.kind, e.delta, e.other_unit_id) for e in effects.ledger] == [
        (A, "transferred_out", -1, B),
        (B, "transferred_in", 1, A),
    ]
    assert effects.counts == {(A, "active", "female", False, "none"): -1, (B, "active", "female", False, "none"): 1}


def test_members_moving_out_and_in_of_one_bucket_leave_it_unchanged():
    leaving, arriving = uuid.uuid4(), uuid.uuid4()
    known = {leaving: fact(leaving, 1), arriving: fact(arriving, 1, unit_id=B)}

    effects = apply_member_changes(known, {}, [change(leaving, 2, unit_id=B), change(arriving, 2, unit_id=A)])

    assert effects.counts == {}
    assert len(effects.ledger) == 4


def test_a_new_fact_takes_the_card_the_member_already_has():
    member = uuid.uuid4()
    effects = apply_member_changes({}, {member: "printed"}, [change(member, 2)])
    assert effects.facts[member].card_status == "printed"
    assert effects.counts == {(A, "active", "female", False, "printed"): 1}


def test_cards_move_only_members_counted_and_only_when_their_status_changes():
    counted, unchanged = uuid.uuid4(), uuid.uuid4()
    known = {counted: fact(counted, 2, card_status="requested"), unchanged: fact(unchanged, 2, card_status="printed")}

    effects = follow_cards(
        known, {counted: "printed", unchanged: "printed", uuid.uuid4(): "requested"}, dict.fromkeys(known, DAY)
    )

    assert effects.facts == {counted: fact(counted, 2, card_status="printed")}
    assert effects.counts == {
        (A, "active", "female", False, "requested"): -1,
        (A, "active", "female", False, "printed"): 1,
    }


def test_the_figures_of_a_poll_are_each_members_values_moved_one_by_one():
    """Members are counted per kind and spread over the dimensions once; the result is what moving each member's
    values one at a time gives."""
    chance = random.Random(7)
    members = [uuid.uuid4() for _ in range(300)]
    known = {
        member: Fact(member, chance.choice((A, B)), chance.choice(("active", "pending")), "male", False, "none", 1)
        for member in members[:200]
    }
    poll = [
        MemberChange(
            uuid.uuid4(),
            chance.choice((DAY, date(2025, 10, 2))),
            member,
            chance.choice((A, B)),
            chance.choice(("active", "suspended", "pending", "retired")),
            chance.choice(("female", "male")),
            chance.random() < 0.1,
            version,
            birth_year=chance.choice((1970, 1990, None)),
            ethnicity=chance.choice(("Kinh", "Tày")),
            is_officer=chance.random() < 0.2,
            has_photo=chance.choice((True, False, None)),
        )
        for version in (2, 3)
        for member in chance.sample(members, 250)
    ]

    effects = apply_member_changes(known, {}, poll)

    expected: Counter = Counter()
    current = dict(known)
    for change_ in poll:
        after = effects_fact(change_)
        for sign, moved in ((-1, current.get(change_.member_id)), (1, after)):
            if moved is not None:
                for dimension, value in values_of(moved).items():
                    expected[moved.unit_id, change_.occurred_on, dimension, value] += sign
        current[change_.member_id] = after
    assert effects.figures == {key: delta for key, delta in expected.items() if delta}
    assert len(effects.figures) > 50


def effects_fact(change_: MemberChange) -> Fact:
    profile = {name: getattr(change_, name) for name in PROFILE_FIELDS}
    return Fact(
        change_.member_id,
        change_.unit_id,
        change_.status,
        change_.gender,
        change_.is_foreign,
        "none",
        change_.version,
        **profile,
    )
