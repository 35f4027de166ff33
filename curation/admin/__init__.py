"""The curators' admin: one module a kind of work, each registering its own models and views."""
