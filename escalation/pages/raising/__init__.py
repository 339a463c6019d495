"""Raise a challenge: GOV.UK question pages, one thing per page, then check your answers.

The answers live in the session until the check-answers page raises the case through
escalation.domain.case_raise; nothing is written to the database before that (drafts.py).

Every question page is one configured QuestionPage (page.py), shown by one view
(views.show_page). The pages, in order (a page that does not apply is left out):
  for           which of your agencies you raise for (only with more than one)
  route         the policy's routes, and the matters that are not for this procedure
  agency        the agency you disagree with
  professional  their name and role, and the person if they use Resolve
  subject       who it is about: kind, initials, age band (no names)
  records       each agency's record number
  category      the policy's categories
  question/<q>  each question of the chosen route (special.py)
  disagreement  the disagreement and its impact, in your words
  risk          risk of significant harm, with what it changes under this policy
  due           an earlier due moment for the first step (optional)
  check         check your answers, then raise (check.py)
  done          confirmation: the reference and the first due moment
The first seven and the last three are configured in pages.py; their order is journey.py's.
special.py has the special routes' own questions, the answer that refuses a route, and the
matters that are not for this procedure.
"""

from escalation.pages.raising.check import check, done
from escalation.pages.raising.drafts import SESSION_KEY
from escalation.pages.raising.special import not_for, refused
from escalation.pages.raising.views import answer_page, question, start

__all__ = [
    "SESSION_KEY",
    "answer_page",
    "check",
    "done",
    "not_for",
    "question",
    "refused",
    "start",
]
