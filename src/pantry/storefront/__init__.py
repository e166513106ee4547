"""Pages composed from several apps (reads the apps below it)."""
