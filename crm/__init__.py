"""The customer domain: Tortoise models (crm/models) and the services over them. No HTTP, no
WeChat, no scheduler in here.

Every write service takes `actor: Actor` (crm/actors.py: who asks) and, keyword-only,
`conn: BaseDBAsyncClient | None = None` (the caller's transaction, so an audit row can commit
with the change: crm/transactions.py). Who may ask for what is one table: crm/permissions.py,
checked at the door, not in the services."""
