"""The `yichuang` command: one entry point for the server, the simulator and the devices."""
