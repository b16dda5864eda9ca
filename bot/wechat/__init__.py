"""WeChat protocol: callback crypto, message parsing, reply rendering, the async API client."""
