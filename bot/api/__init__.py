"""The admin API, mounted under /api: /api/v1/... (JSON), /api/openapi.json, /api/docs.

Each resource is one module that registers its endpoints in the route table (registry.py);
importing them here builds the table the routes and the document come from."""
