"""The example pipeline: find, execute, report errors, split notebooks, add pages."""
