"""Chain access: connecting, the local node, keys, the one transaction path."""
