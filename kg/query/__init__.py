"""The query layer the HTTP layer calls: describing a resource, a reader's
view of it, the search index and reconciliation. Never imports ``kg.web``.
Import the modules themselves: this file imports nothing.
"""
