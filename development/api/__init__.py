"""The development REST API under /api/v1/development/: the same services and access rules as the pages."""
