"""Measurements of the analyzer against labelled data (``tactful eval``)."""
