"""A curator's review of a submission waiting in `in_review`: the queue, the decision, its services and pages."""
