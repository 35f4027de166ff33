"""Demo data for `manage.py seed_demo`: people, studies in every status and small real images."""
