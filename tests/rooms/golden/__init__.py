"""The golden log: one recorded event that uses every activity, and its views.

``record.py`` writes it (``python -m tests.rooms.golden.record``), ``views.py``
projects a state the way the recording did; ``tests/rooms/test_golden_log.py``
replays the stored log and holds today's code to the stored views.
"""
