"""onething — 高效办成一件事 platform."""
