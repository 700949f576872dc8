"""Exchange transports: other haechi instances, and the threatexchange package's APIs."""
