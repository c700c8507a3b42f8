"""Q&A: questions from phones, upvotes, moderation, "jetzt dran" (issue 12)."""
