"""Review and approval: the state machine, the service, comments, notices, the stamp."""
