"""Platform administrators manage configuration, not case content: nothing here is editable."""
