"""Writes to the archive, by topic. Each service runs in one transaction and returns the model it changed.

Import from the topic module (accession, status, release, access, thumbnails).
"""
