"""Statistics (Vlaams Statistisch Programma)."""
