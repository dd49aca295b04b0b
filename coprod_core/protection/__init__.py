"""Data protection below the services: the rules and the records they keep.

These modules know the model and the ``[privacy]`` table, never the
workspace's modules, so that the unit of work can check consent on every
write without importing the services that use it:

- :mod:`.settings`: the ``[privacy]`` table of coprod.toml (retention period,
  contact consent required);
- :mod:`.consent`: what consent allows to be stored, and who may be named;
- :mod:`.matcher`: finding a person in free text (name, pseudonym, contact, id);
- :mod:`.scrub`: what erasure leaves of a record (tombstones, scrubbed text);
- :mod:`.records`: rights requests and the record of subject access exports.

The operations (erasure, withdrawal, review, rights requests) are services
(:mod:`coprod_core.services`); :mod:`coprod_core.privacy` gathers all the
public names in one place.
"""
