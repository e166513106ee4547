"""vouchers."""
