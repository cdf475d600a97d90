"""HTML forms of organizational life: they validate input; the services save."""
