"""The agenda (run of show): phases with timers that move the screen and the phones (issue 13)."""
