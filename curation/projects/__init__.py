"""Structured projects (P-PROJECT): proposals, the curators' scores and decision, their pages and admin.

The model, `submissions.models.ProjectProposal`, stays with the submissions that
name a project (and its table with it); submissions read only the model.
"""
