"""Reads of member development: each person's deadlines and the due list (deadlines), the department's
view by node (overview)."""
