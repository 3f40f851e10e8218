"""Releases: the build pipeline, a release on disk, what it ships (dumps, VoID,
sitemaps) and the history of every release (diffs, records, DCAT versions).
Import the modules themselves: this file imports nothing.
"""
