"""Follow / unfollow on the Official Account, and WeCom external-contact changes."""

from __future__ import annotations

from crm import customers
from crm.actors import Actor
from handlers.context import Context
from handlers.filters import change_type
from handlers.router import Router
from handlers.types import Reply

router = Router("events")

_ADDED = ("add_external_contact", "edit_external_contact", "add_half_external_contact")
_REMOVED = ("del_external_contact", "del_follow_user")


@router.event("subscribe")
async def on_subscribe(ctx: Context) -> Reply:
    assert ctx.customer is not None
    scene = ctx.message.event_key or None
    scene = scene.removeprefix("qrscene_") if scene else None
    await customers.subscribe(ctx.customer, scene, actor=Actor.customer(ctx.customer.id))
    return ctx.render("welcome", name=ctx.customer.display_name)


@router.event("unsubscribe")
async def on_unsubscribe(ctx: Context) -> Reply:
    assert ctx.customer is not None
    await customers.unsubscribe(ctx.customer, actor=Actor.customer(ctx.customer.id))
    return None  # WeChat shows nothing to someone who has just left


@router.event("change_external_contact", filters=[change_type(*_ADDED)])
async def on_contact_added(ctx: Context) -> Reply:
    change = ctx.message.contact
    assert change is not None  # change_type() matched
    customer = await customers.follow_by_staff(
        change.external_user_id, change.user_id, change.state, actor=Actor.system("wecom")
    )
    if change.welcome_code:  # absent when the admin configured a welcome message in WeCom
        text = ctx.render("welcome", name=customer.display_name).text
        await ctx.messenger.welcome_contact(customer, change.welcome_code, text)
    return None  # external-contact events take no passive reply


@router.event("change_external_contact", filters=[change_type(*_REMOVED)])
async def on_contact_removed(ctx: Context) -> Reply:
    change = ctx.message.contact
    assert change is not None  # change_type() matched
    wecom = Actor.system("wecom")  # as WeCom reported it
    await customers.unfollow_by_staff(change.external_user_id, change.user_id, actor=wecom)
    return None
