"""WD14 (SmilingWolf) tagger: model discovery now; preprocessing and inference come with tagging."""
