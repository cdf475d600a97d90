"""Pages of organizational life: parse, check access, call a service, respond."""
