"""The person's own voice: what they say of their first days out, in closed answers."""
