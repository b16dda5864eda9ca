"""Surveys in the chat: definitions (definitions.py), answer reading (answers.py), how
questions read and follow each other (questions.py), a customer's response (responses.py),
results (results.py), event triggers (triggers.py) and settings (config.py)."""

from crm.surveys.triggers import on_complaint_resolved, on_first_order

__all__ = ["on_complaint_resolved", "on_first_order"]
