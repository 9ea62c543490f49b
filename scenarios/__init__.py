"""Bundled scenario files, shipped in the wheel as `costplan.scenarios`."""
