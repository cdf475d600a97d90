"""Pages of the points ledger: thin views that parse, check access, call a service and respond."""
