"""The portal's pages (FastAPI routers): lists and decisions, reading, Att göra, admin."""
