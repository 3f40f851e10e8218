"""The HTTP layer: ``create_app(settings, store, release)`` and its routers.

It calls the query/describe layers and never the build or curation code.
"""
