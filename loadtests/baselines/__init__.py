"""Baselines measured in the same run as Dialograum: a broadcast ceiling and python-socketio."""
