"""The clerk's caller app (docs/caller.md)."""
