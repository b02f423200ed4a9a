"""workflow layer (see README: sources → analysis → workflow → faces)."""
