"""Optional LLM judge (placeholder until implemented)."""


def build_judge(settings):
    """No judge unless an LLM provider is configured."""
    return None
