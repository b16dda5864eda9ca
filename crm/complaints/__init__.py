"""Complaint tickets: intake from the chat, staff handling, SLA escalation, notifications
and analysis. One concept per module; the service functions take the acting `Actor` and write
history and audit rows with every change.

intake (customer side), handling (staff side), queries, sla, notifications (the outbox),
numbers (C20261201-0007), classify (category, severity), texts (what staff read), analysis."""

from crm.complaints.analysis import Analysis, analyse
from crm.complaints.handling import (
    acknowledge,
    assign,
    close,
    find,
    note,
    recategorise,
    resolve,
)
from crm.complaints.intake import Incoming, Intake, complain, rate, reopen
from crm.complaints.queries import Detail, detail, open_tickets

__all__ = [
    "Analysis",
    "Detail",
    "Incoming",
    "Intake",
    "acknowledge",
    "analyse",
    "assign",
    "close",
    "complain",
    "detail",
    "find",
    "note",
    "open_tickets",
    "rate",
    "recategorise",
    "reopen",
    "resolve",
]
