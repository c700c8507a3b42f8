"""Surveys on the server (issue 17): their log in the event store, the API, the pages."""
