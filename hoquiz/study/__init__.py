"""Studying: grading answers, FSRS scheduling, the quiz session and statistics."""
