"""Fetching source files over HTTP(S) into the inbox: what to fetch, conditional requests,
which failures to retry, and the fetch state."""
