"""Markdown and HTML helpers: fences, math, doctests, notebook HTML and contents."""
