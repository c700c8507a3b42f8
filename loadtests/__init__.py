"""Load tests for Dialograum: a lean generator, its scenarios, and the baselines.

Run ``python -m loadtests.run`` (or ``make bench``); see ``loadtests/README.md``.
"""
