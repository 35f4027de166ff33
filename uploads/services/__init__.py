"""Write side of upload areas, one module a topic: `upload` (create, append, complete, remove, hold) and
`retention` (deletion times, warnings, the purge, moves out and curators' removals). Import from the modules."""
