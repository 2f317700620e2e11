"""Recorded timings. schema, store, host and measure need only the standard library and torch
(the recorder imports them on a bare GPU machine); render, chart, strings and page are the site's."""
