"""Reads of organizational life that span several models (boards, queues, completion rates, ledgers)."""
