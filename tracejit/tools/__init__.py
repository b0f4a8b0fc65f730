"""Developer tools built on the JIT's text forms (trace dumps)."""
