"""Instructor and author tooling, run through course.py; not installed for learners."""
