"""The model registry's client: registered models, versions, aliases and lineage over a
`ModelRegistryStore` (`client.RegistryClient`); `lineage` reads a new version's lineage from its
run, `sources` resolves the model URIs `RegistryClient.register` takes."""

from slipstream.registry.client import PagedList, RegistryClient

__all__ = ["PagedList", "RegistryClient"]
