"""The overdue, board cases and policy pages."""
