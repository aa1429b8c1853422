"""What the visitor sees: banner, dialog, notice and placeholders, in the visitor's language."""
