"""Every write of organizational life: one named function per change, called by pages, the API, tasks and commands."""
