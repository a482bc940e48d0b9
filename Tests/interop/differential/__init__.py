"""Differential testing of a ZooKeeper-compatible server against a reference ZooKeeper.

Modules, one concern each:
  jute        binary encoding of the client protocol's primitives and common records
  protocol    opcodes, error codes, request encoders and reply decoders
  client      a minimal synchronous client session over one TCP connection
  generator   a seeded, result-independent sequence of operations
  runner      executes one operation on a set of sessions and collects replies and watch events
  normaliser  replaces zxids, times and session ids with stable symbols
  comparer    field-by-field comparison with readable differences
"""
