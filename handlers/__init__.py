"""Conversation logic: one router per module; `handlers.routes.root_router()` orders them."""
