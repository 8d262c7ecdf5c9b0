"""Wire-level languages and schemas shared by stores, clients and the server (L1)."""
