"""Export Control (strategic goods)."""
