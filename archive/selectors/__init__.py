"""Reads of the archive, by topic: visibility, search, files and paging. Import from the topic module."""
