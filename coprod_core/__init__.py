"""coprod: the record honest co-production needs.

Importing this package is cheap on purpose: the command line imports the
pieces it needs inside each command, so ``coprod --help`` stays fast.
"""

__version__ = "0.1.0"
