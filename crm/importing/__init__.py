"""`siyu import customers|orders FILE.csv`: streaming, batch by batch (constant memory), every
bad row reported (line, field, reason) without stopping, and safe to run again."""

from crm.importing.common import IDENTITIES, ImportReport
from crm.importing.customers import CustomerRow, import_customers
from crm.importing.orders import OrderRow, import_orders

__all__ = [
    "IDENTITIES",
    "CustomerRow",
    "ImportReport",
    "OrderRow",
    "import_customers",
    "import_orders",
]
