"""Build-time machinery of the lesson site: pure functions the hooks and scripts call."""
