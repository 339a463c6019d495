"""The pages, one door into the domain: the raise journey (raising/), the case page and its
actions (case/), the overdue, board and policy pages (oversight/), and home.py.

A view gets the case through a query (another agency's case is a 404), checks the same named
rule as the transition it calls, validates its form, calls the transition, and turns a domain
error into a form error. No ORM writes here.
"""
