"""File and Directory values (placeholder until the types helper lands)."""


class File:  # replaced by the types implementation
    pass


class Directory:  # replaced by the types implementation
    pass
