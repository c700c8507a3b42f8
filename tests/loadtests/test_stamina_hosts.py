"""The stamina scenario's café hosts: only phones that have joined, are here, and stay.

It once drew hosts from who would be present at the café's end, which
included newcomers not yet joined: ``cafe.set_host`` then named nobody (an
acknowledged no-op) and each note that phone wrote later was refused
``not_host``; the scenario counted those refusals as a re-plan's doing.
"""

from __future__ import annotations

from loadtests.clients import Phone
from loadtests.scenarios.stamina import Life, host_candidates


def _phone(index: int, joined: bool) -> Phone:
    phone = Phone(index)
    phone.participant_id = f"p{index}" if joined else None
    return phone


def test_hosts_are_drawn_from_joined_phones_that_are_here_and_stay() -> None:
    here = _phone(0, joined=True)
    coming = _phone(1, joined=False)  # a newcomer of minute 108, asked at minute 85
    leaving = _phone(2, joined=True)
    slow = _phone(3, joined=False)  # arrived by the plan, its join not answered yet
    lives = {
        here: Life(here, arrives=-1.0),
        coming: Life(coming, arrives=108.0),
        leaving: Life(leaving, arrives=-1.0, leaves=150.0),
        slow: Life(slow, arrives=40.0),
    }
    assert host_candidates(lives, 85.0) == [here]
    coming.participant_id = "p1"
    assert host_candidates(lives, 120.0) == [here, coming]
