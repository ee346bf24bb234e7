"""Sentence captions beside tags: importing them, asking a vision-language model for them,
templates that join trigger, sentence and tags, and CLIP's token budget."""
