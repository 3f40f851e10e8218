"""RDF: our terms and IRIs, the mapping of curated objects to quads, and the formats RDF is written in.
"""
