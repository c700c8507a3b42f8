"""Surveys that stand on their own (issue 17): definitions, answers, results, templates.

Not a room activity: a survey has its own code, link and log, and is open
from a start date to an end date without a live event.
"""
