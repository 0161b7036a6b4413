"""The offline demo: the bundled DRM mirror (`site/`) and the server that serves it."""
