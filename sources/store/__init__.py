"""Where inputs are kept and gathered: the raw store, retrieval dates, and the inbox read
into canonical frames."""
