"""privacy: deleting personal data (a participant's own, or everyone's) and its log redaction."""
