"""Registry entries, one module per paper (``lee2024``, ``koromilas2024``) and ``ext`` for ours."""
