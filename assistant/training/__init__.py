"""Training the assistant's learned parts on the written data in ``datasets/`` (torch and peft: training only)."""
