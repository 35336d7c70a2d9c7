"""Portal accounts: users and roles, the password policy, login throttling."""
