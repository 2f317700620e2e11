"""The `lesson` MkDocs plugin: its configuration and the two roles it plays."""
