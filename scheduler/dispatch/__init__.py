"""The campaign dispatcher's parts: settings, rate limit, channel choice, sending, WeCom tasks."""
