"""The Expression mode: type definitions, see the chain rule as a tree, paths, checks and plots."""
