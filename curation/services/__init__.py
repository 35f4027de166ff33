"""Write side of curation, one module a kind of work (actions, review, imports, fixity).

Import from the modules themselves; every broken rule raises `PolicyViolation`.
"""
