"""Pages of the observers app: thin views that parse, check access, call a service and respond."""
