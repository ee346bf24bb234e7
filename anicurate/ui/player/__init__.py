"""The review player: frame server thread, frame-exact player, difference timeline, crop overlay."""
