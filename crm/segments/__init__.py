"""Segments: a JSON rule language compiled to one query, dynamic or frozen as a snapshot."""

from crm.segments.compiler import RuleContext, customers_matching
from crm.segments.members import MemberIds, member_ids
from crm.segments.rules import parse_rule, rule_to_json
from crm.segments.service import (
    CustomerPreview,
    context,
    count,
    create_segment,
    get_segment,
    iter_customers,
    iter_ids,
    preview,
    rule_members,
    rule_queryset,
    segment_members,
    segment_queryset,
    snapshot,
    update_segment,
)

__all__ = [
    "CustomerPreview",
    "MemberIds",
    "RuleContext",
    "context",
    "count",
    "create_segment",
    "customers_matching",
    "get_segment",
    "iter_customers",
    "iter_ids",
    "member_ids",
    "parse_rule",
    "preview",
    "rule_members",
    "rule_queryset",
    "rule_to_json",
    "segment_members",
    "segment_queryset",
    "snapshot",
    "update_segment",
]
