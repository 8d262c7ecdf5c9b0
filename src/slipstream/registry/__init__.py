"""The model registry's client: registered models, versions, aliases and lineage over a
`ModelRegistryStore`."""
