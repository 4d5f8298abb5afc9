"""The IEF side: the create-deployment body's schema and validator, and the SDK model bridge."""
