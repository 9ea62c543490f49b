"""Price and quota data files, shipped in the wheel as `costplan.pricing_data`."""
