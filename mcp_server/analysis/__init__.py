"""analysis layer (see README: sources → analysis → workflow → faces)."""
