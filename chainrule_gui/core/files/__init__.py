"""Files: atomic saves, bounded strict reading, and the explorer's session format."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "atomic_write_bytes": "atomic",
    "atomic_write_text": "atomic",
    "read_limited": "atomic",
    "FileFormatError": "atomic",
    "Session": "session",
    "save_session": "session",
    "load_session": "session",
})
