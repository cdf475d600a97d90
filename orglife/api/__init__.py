"""The organizational-life REST API under /api/v1/orglife/: the same services and access rules as the pages."""
