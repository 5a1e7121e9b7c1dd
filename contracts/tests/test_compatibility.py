"""`breaking_changes` on pairs of small models: v1 is published, v2 is the change under review."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from contracts.compatibility import breaking_changes
from pydantic import BaseModel, Field


def changes(v1: type[BaseModel], v2: type[BaseModel]) -> list[str]:
    return breaking_changes(v1.model_json_schema(), v2.model_json_schema())


class Before(BaseModel):
    member_id: UUID
    full_name: str
    joined_on: date | None = None
    status: Literal["pending", "active", "removed"] = "pending"


def test_identical_schemas_are_compatible():
    assert changes(Before, Before) == []


def test_a_new_optional_field_is_compatible():
    class After(Before):
        position: str | None = None
        is_foreign: bool = False

    assert changes(Before, After) == []


def test_a_removed_field_is_breaking():
    class After(BaseModel):
        member_id: UUID
        joined_on: date | None = None
        status: Literal["pending", "active", "removed"] = "pending"

    assert changes(Before, After) == ["full_name: field removed"]


def test_a_renamed_field_is_breaking():
    class After(BaseModel):
        member_id: UUID
        name: str
        joined_on: date | None = None
        status: Literal["pending", "active", "removed"] = "pending"

    assert changes(Before, After) == ["full_name: field removed", "name: new required field"]


def test_a_type_change_is_breaking_both_narrowing_and_widening():
    class Narrower(BaseModel):
        member_id: UUID
        full_name: str
        joined_on: date = date(2020, 1, 1)
        status: Literal["pending", "active", "removed"] = "pending"

    class Different(BaseModel):
        member_id: str
        full_name: int
        joined_on: date | None = None
        status: Literal["pending", "active", "removed"] = "pending"

    class Wider(BaseModel):
        member_id: UUID
        full_name: str | None
        joined_on: date | None = None
        status: Literal["pending", "active", "removed"] = "pending"

    assert [p.split(":")[0] for p in changes(Before, Narrower)] == ["joined_on"]
    assert [p.split(":")[0] for p in changes(Before, Different)] == ["member_id", "full_name"]
    # A consumer on v1 would reject the null a v2 producer may send.
    assert [p.split(":")[0] for p in changes(Before, Wider)] == ["full_name"]
    assert all("type changed" in p for p in changes(Before, Different) + changes(Before, Wider))


def test_an_optional_field_made_required_is_breaking():
    class After(BaseModel):
        member_id: UUID
        full_name: str
        joined_on: date | None = None
        status: Literal["pending", "active", "removed"]

    assert changes(Before, After) == ["status: field became required"]


def test_a_removed_or_added_enum_value_is_breaking():
    class Fewer(BaseModel):
        member_id: UUID
        full_name: str
        joined_on: date | None = None
        status: Literal["pending", "active"] = "pending"

    class More(BaseModel):
        member_id: UUID
        full_name: str
        joined_on: date | None = None
        status: Literal["pending", "active", "removed", "retired"] = "pending"

    assert changes(Before, Fewer) == ["status: enum values removed ['removed']"]
    assert changes(Before, More) == ["status: enum values added ['retired'] (published consumers reject them)"]


def test_enum_values_inside_an_optional_field_and_an_enum_class_are_checked():
    class RoleV1(StrEnum):
        ADMIN = "admin"
        VIEWER = "viewer"

    class RoleV2(StrEnum):
        ADMIN = "admin"

    class V1(BaseModel):
        card_type: Literal["regular", "linked"] | None = None
        role: RoleV1

    class V2(BaseModel):
        card_type: Literal["regular"] | None = None
        role: RoleV2

    assert changes(V1, V2) == [
        "card_type: enum values removed ['linked']",
        "role: enum values removed ['viewer']",
    ]


class Grant(BaseModel):
    role: str
    unit_id: UUID


class Snapshot(BaseModel):
    unit_id: UUID
    status: Literal["active", "dissolved"] = "active"
    version: int = Field(ge=1)


def test_changes_inside_nested_models_are_found_at_any_depth():
    class V1(BaseModel):
        member_id: UUID
        member: Snapshot
        grants: list[Grant]
        previous: Snapshot | None = None

    class GrantV2(BaseModel):
        role: str

    class SnapshotV2(BaseModel):
        unit_id: str
        status: Literal["active", "dissolved"] = "active"
        version: int = Field(ge=1)
        reason: str

    class V2(BaseModel):
        member_id: UUID
        member: SnapshotV2
        grants: list[GrantV2]
        previous: SnapshotV2 | None = None

    assert changes(V1, V2) == [
        "member.unit_id: type changed from ['string:uuid'] to ['string']",
        "member.reason: new required field",
        "grants[].unit_id: field removed",
        "previous.unit_id: type changed from ['string:uuid'] to ['string']",
        "previous.reason: new required field",
    ]


def test_a_new_optional_field_in_a_nested_model_is_compatible():
    class SnapshotV2(Snapshot):
        province_code: str | None = None

    class V1(BaseModel):
        member: Snapshot
        history: list[Snapshot] = []

    class V2(BaseModel):
        member: SnapshotV2
        history: list[SnapshotV2] = []

    assert changes(V1, V2) == []


def test_a_recursive_model_does_not_loop():
    class Node(BaseModel):
        name: str
        children: list[Node] = []

    class NodeV2(BaseModel):
        name: str
        children: list[NodeV2] = []
        code: str | None = None

    NodeV2.model_rebuild()
    Node.model_rebuild()
    assert changes(Node, Node) == []
    assert changes(Node, NodeV2) == []
