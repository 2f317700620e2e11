"""Incremental builds: fingerprints, the caches, reuse of unchanged language builds."""
