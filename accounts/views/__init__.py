"""Pages of accounts, one module per subject: `auth` (login, two factors, security settings, the audit
log), `users` (the 三员 user management) and `provisioning` (accounts in bulk)."""
