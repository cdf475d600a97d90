"""The observers REST API under /api/v1/observers/: the same services as the pages."""
