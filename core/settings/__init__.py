"""The hall's configuration: its typed shape (`schema`), the TOML loader (`loader`)
and the checks across the whole hall (`checks`).

Import the data types from `core.settings.schema` and the loader from
`core.settings.loader`; this package module stays empty so that the schema can be
imported without the loader (the loader imports the allocation registry, which
imports the schema).
"""
