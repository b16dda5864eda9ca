"""/v1/staff: WeCom members who work the private domain, and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field
from tortoise.exceptions import IntegrityError

from bot.api.models import Out, Strict
from bot.api.pagination import Page, PageQuery, page_of
from bot.api.registry import API, Call
from bot.api.writes import audited, in_transaction
from crm import staff
from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import Role, Staff
from crm.permissions import Action

TAG = "staff"


class StaffOut(Out):
    id: int
    userid: str
    name: str | None
    role: Role
    created_at: datetime


class StaffCreate(Strict):
    userid: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@-]+$")
    name: str | None = Field(None, min_length=1, max_length=64)
    role: Role = Role.VIEWER


class StaffUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=64)
    role: Role | None = None


class StaffQuery(PageQuery):
    sort: Literal["id", "-id", "userid", "-userid", "created_at", "-created_at"] = "id"
    role: Role | None = None


async def _member(staff_id: int) -> Staff:
    member = await Staff.get_or_none(id=staff_id)
    if member is None:
        raise NotFound(f"员工 {staff_id} 不存在")
    return member


@API.route("GET", "/v1/staff", action=Action.STAFF_READ, tag=TAG,
           query=StaffQuery, response=Page[StaffOut])  # fmt: skip
async def list_staff(call: Call) -> Page[StaffOut]:
    """List staff members, filtered by role."""
    q: StaffQuery = call.query
    qs = Staff.all() if q.role is None else Staff.filter(role=q.role)
    rows, cursor = await page_of(qs, sort=q.sort, limit=q.limit, cursor=q.cursor)
    return Page[StaffOut](items=[StaffOut.model_validate(r) for r in rows], next_cursor=cursor)


@API.route("GET", "/v1/staff/{staff_id}", action=Action.STAFF_READ, tag=TAG, response=StaffOut)
async def get_staff(call: Call) -> StaffOut:
    """One staff member."""
    return StaffOut.model_validate(await _member(call["staff_id"]))


@API.route("POST", "/v1/staff", action=Action.STAFF_MANAGE, tag=TAG,
           body=StaffCreate, response=StaffOut, status=201)  # fmt: skip
async def create_staff(call: Call) -> StaffOut:
    """Register a WeCom member with a role (before their first message)."""
    b: StaffCreate = call.body
    try:
        async with in_transaction() as tx:
            member = await Staff.create(using_db=tx, **b.model_dump())
            after = {"userid": b.userid, "name": b.name, "role": b.role.value}
            await audited(call, tx, "staff.create", "staff", member.id, after=after)
    except IntegrityError:
        raise Conflict(f"userid: 员工 {b.userid} 已存在") from None
    return StaffOut.model_validate(member)


@API.route("PATCH", "/v1/staff/{staff_id}", action=Action.STAFF_MANAGE, tag=TAG,
           body=StaffUpdate, response=StaffOut)  # fmt: skip
async def update_staff(call: Call) -> StaffOut:
    """Rename a member or change their role (holds from their next message on); the last
    admin cannot be demoted (409)."""
    changes = call.body.model_dump(exclude_none=True)
    if not changes:
        raise InvalidInput("没有要修改的字段（name 或 role）")
    async with in_transaction() as tx:
        demoting = changes.get("role", Role.ADMIN) is not Role.ADMIN
        member = await staff.locked(call["staff_id"], tx, leaving_admins=demoting)
        before = {"name": member.name, "role": member.role.value}
        member.update_from_dict(changes)
        await member.save(using_db=tx, update_fields=list(changes))
        after = {"name": member.name, "role": Role(member.role).value}
        await audited(call, tx, "staff.update", "staff", member.id, before=before, after=after)
    return StaffOut.model_validate(member)


@API.route("DELETE", "/v1/staff/{staff_id}", action=Action.STAFF_MANAGE, tag=TAG)
async def delete_staff(call: Call) -> None:
    """Delete a member (409 for the last admin). A later message registers them again with
    `staff.default_role`, or as admin when listed in `staff.admins`; API tokens are not
    tied to members and stay as they are (revoke them with DELETE /v1/tokens/{id})."""
    async with in_transaction() as tx:
        member = await staff.delete(call["staff_id"], tx)
        before = {"userid": member.userid, "name": member.name, "role": Role(member.role).value}
        await audited(call, tx, "staff.delete", "staff", member.id, before=before)
