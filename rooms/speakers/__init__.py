"""The speaker list (Redeliste): requests to speak, order, speaking time (issue 12)."""
