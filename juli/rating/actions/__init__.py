"""Every write of branch rating: standards (`standards`), rounds and assessments (`rounds`)."""
