"""Every write of the observers app, and its exports. Pages, the API, commands and the demo call these."""
