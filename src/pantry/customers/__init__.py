"""Customer accounts, addresses and carts (uses events)."""
