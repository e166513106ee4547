"""Import products from JSON Lines or CSV (see pipeline)."""
