"""What question types share; below every type module, and importing none."""
