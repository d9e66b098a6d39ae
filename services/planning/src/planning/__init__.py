"""Planning (ondernemingsplan)."""
