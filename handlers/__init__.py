"""Conversation logic: one router per module; `handlers.dispatcher.dispatcher()` orders them."""
