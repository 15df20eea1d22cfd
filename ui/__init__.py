"""nxcommand's Qt layer: windows, panels and table models over the core services."""
