from ninja import Router

# Shared endpoints of no app; /me lives in customers (staff or customer).
router = Router(tags=["auth"])
