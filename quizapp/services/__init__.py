"""Use cases: database work plus domain logic. Take ids and `now`; never read the request."""
