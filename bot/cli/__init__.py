"""The command line face: ``python -m bot ask|index|eval|add|run|bench``. Thin: parsing and printing only."""
