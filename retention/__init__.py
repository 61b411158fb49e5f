"""Data retention: personal data goes after a limit, weekly counts for coordinators stay."""
