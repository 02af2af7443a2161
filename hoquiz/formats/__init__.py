"""Interchange formats: Anki and the formats learning platforms import.

Each format lives in its own module behind the interface in ``base``;
modules are imported only when their format is used.
"""
