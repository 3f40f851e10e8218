"""A curated quote and its article: the four jobs a quote needs, one module each.

``verbatim`` finds a quote in its article exactly as written and says where it
sits (the offsets the RDF publishes); ``folded`` finds it the way a curator
types Arabic (hamza, taa marbuta, harakat, quote marks folded) and says why
one does not match; ``problem`` turns a quote that is not there into a curation
``Problem`` naming the YAML line and column; ``command`` is ``kg quote``.
"""
