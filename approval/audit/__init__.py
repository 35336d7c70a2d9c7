"""The audit log: its hash chain, anchors outside the database, and the table checks."""
