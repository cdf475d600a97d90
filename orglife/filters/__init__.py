"""FilterSets of organizational life, shared by the list pages and the API lists."""
