"""One router module per resource family; each route parses, calls one store method, serialises."""
