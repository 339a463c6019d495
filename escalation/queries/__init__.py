"""Reads: policies (policies.py), the cases a person may see (cases.py), who acts at a step
(steps.py), and what the case page (case_page.py) and the oversight pages (oversight.py) show.

Nothing here changes anything, and nothing here imports escalation.domain.
"""
