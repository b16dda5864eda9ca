"""Follow / unfollow: customers on the Official Account, members on the WeCom app; and WeCom
external-contact changes."""

from __future__ import annotations

import logging

from crm import customers
from crm.actors import Actor
from crm.models import Channel, Customer
from crm.pipl import consent
from handlers.context import Context
from handlers.filters import ChangeType, OnChannel, has_customer
from handlers.router import Router
from handlers.types import ContactChange, Reply

router = Router("events")
log = logging.getLogger("siyu.handlers.events")

_ADDED = ("add_external_contact", "edit_external_contact", "add_half_external_contact")
_REMOVED = ("del_external_contact", "del_follow_user")
on_oa, on_wecom = OnChannel(Channel.OA), OnChannel(Channel.WECOM)


@router.event("subscribe", on_oa, has_customer)
async def on_subscribe(ctx: Context, customer: Customer) -> Reply:
    scene = ctx.message.event_key or None
    scene = scene.removeprefix("qrscene_") if scene else None
    await customers.subscribe(customer, scene, actor=Actor.customer(customer.id))
    await consent.on_follow(customer.id, scene)  # PIPL: a scene that stated its purpose
    return ctx.render("welcome", name=customer.display_name)


@router.event("unsubscribe", on_oa, has_customer)
async def on_unsubscribe(ctx: Context, customer: Customer) -> Reply:
    await customers.unsubscribe(customer, actor=Actor.customer(customer.id))
    return None  # WeChat shows nothing to someone who has just left


@router.event("subscribe", on_wecom)
async def on_member_follows_app(ctx: Context) -> Reply:
    """A WeCom member (staff, not a customer) started following the app."""
    return ctx.render("staff_welcome")


@router.event("unsubscribe", on_wecom)
async def on_member_leaves_app(ctx: Context) -> Reply:
    log.info("WeCom member %s stopped following the app", ctx.message.sender)
    return None


@router.event("change_external_contact", ChangeType(*_ADDED))
async def on_contact_added(ctx: Context, change: ContactChange) -> Reply:
    customer = await customers.follow_by_staff(
        change.external_user_id, change.user_id, change.state, actor=Actor.system("wecom")
    )
    if change.welcome_code:  # absent when the admin configured a welcome message in WeCom
        text = ctx.render("welcome", name=customer.display_name).text
        await ctx.messenger.welcome_contact(customer, change.welcome_code, text)
    return None  # external-contact events take no passive reply


@router.event("change_external_contact", ChangeType(*_REMOVED))
async def on_contact_removed(ctx: Context, change: ContactChange) -> Reply:
    wecom = Actor.system("wecom")  # as WeCom reported it
    await customers.unfollow_by_staff(change.external_user_id, change.user_id, actor=wecom)
    return None
